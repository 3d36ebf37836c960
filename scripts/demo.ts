// `npm run demo`: sends the Linear → PR → deploy story (kit/story.ts), signed, from all four senders
// to a running Switchyard (SWITCHYARD_URL, default http://127.0.0.1:3000) and prints what was stored.
// It signs with the same environment variables the server reads, so run both with the same environment.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { parseApiTokens } from "../src/shared/api-tokens.js";
import { loadConfig } from "../src/shared/config.js";
import { post } from "../kit/sign.js";
import { story } from "../kit/story.js";
import { incidentStory, INCIDENT_T0 } from "../kit/incident-story.js";

const base = process.env.SWITCHYARD_URL ?? "http://127.0.0.1:3000";
const config = loadConfig();
const first = (list: string[], name: string) => {
  if (!list[0])
    throw new Error(`${name} is not set: export the same secrets the server runs with (see README, "Demo")`);
  return list[0];
};

// Namespace "ng": Linear issue ENG-42, repository acme/web-ng. Fresh delivery ids on every run, so
// a second run is sent again rather than taken for redeliveries.
const { steps } = story("ng", {
  run: `ng-${randomUUID().slice(0, 8)}`,
  secrets: {
    github: first(config.GITHUB_WEBHOOK_SECRET, "GITHUB_WEBHOOK_SECRET"),
    slack: first(config.SLACK_SIGNING_SECRET, "SLACK_SIGNING_SECRET"),
    linear: first(config.LINEAR_WEBHOOK_SECRET, "LINEAR_WEBHOOK_SECRET"),
    deploy: first(config.DEPLOY_WEBHOOK_SECRET, "DEPLOY_WEBHOOK_SECRET"),
  },
});

const token = parseApiTokens(process.env.API_TOKENS).tokens[0]?.secret;
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
  });

/**
 * A subscription for what shipped to production, sent to a receiver of the demo's own that checks
 * each signature as a subscriber would (the server needs OUTBOUND_ALLOW_PRIVATE=true to send to it).
 */
async function subscribe() {
  const received: Array<{ type: string; id: string; verified: boolean; data: any }> = [];
  const secret: { verifier?: Webhook } = {};
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let verified = false;
      try {
        secret.verifier?.verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        // shown below as "signature INVALID"
      }
      const message = JSON.parse(body);
      received.push({ type: message.type, id: String(req.headers["webhook-id"]), verified, data: message.data });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/ship-notes`;
  await api("/subscriptions/demo-ship-notes", { method: "DELETE" });
  const res = await api("/subscriptions", {
    method: "POST",
    body: JSON.stringify({
      name: "demo-ship-notes",
      kind: "webhook",
      url,
      types: ["issue.shipped", "pr.shipped", "deploy.changes"],
      where: { environment: "prod*" },
    }),
  });
  const answer = (await res.json()) as { secret?: string; error?: string };
  if (res.status !== 201 || !answer.secret) {
    console.log(`subscription not created (${res.status} ${answer.error ?? ""}); the story is sent anyway\n`);
    receiver.close();
    return null;
  }
  secret.verifier = new Webhook(answer.secret);
  console.log(`subscription demo-ship-notes → ${url} (issue.shipped, pr.shipped, deploy.changes where prod*)\n`);
  return { received, close: () => receiver.close() };
}

const subscription = token ? await subscribe() : null;
const ids: string[] = [];
for (const { platform, name: label, request } of steps) {
  const res = await post(`${base}/webhooks/${platform}`, await request());
  console.log(
    `${String(res.status).padEnd(4)} ${platform.padEnd(7)} ${label}${res.status >= 300 ? `  ${res.text}` : ""}`,
  );
  if (res.json?.id) ids.push(res.json.id);
}

if (!token) {
  console.log("\nSet API_TOKENS to see the stored events.");
  process.exit(0);
}
console.log("\nStored events:");
for (const id of ids) {
  let found: any;
  for (let i = 0; i < 50 && !found; i++) {
    const r = await fetch(`${base}/api/events/${id}`, { headers: { authorization: `Bearer ${token}` } });
    if (r.status === 200) found = await r.json();
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!found) {
    console.log(`  ${id}  not stored yet (is a worker running?)`);
    continue;
  }
  const { event, rows } = found;
  console.log(
    `  ${event.type.padEnd(30)} ${String(event.priority).padEnd(8)} ${String(event.subject).padEnd(44)} ` +
      `rows: ${Object.keys(rows).join(", ")}`,
  );
  console.log(`  ${"".padEnd(30)} keys: ${event.keys.join(" ")}`);
}

if (subscription) {
  // Milestones are told once the deploys are correlated; give the relay and the sender a moment.
  for (let i = 0; i < 50 && subscription.received.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
  console.log("\nSubscription demo-ship-notes received:");
  for (const m of subscription.received) {
    const what = m.data.issue?.key ?? m.data.pullRequest?.key ?? `${m.data.pullRequests?.length ?? 0} PRs`;
    console.log(
      `  ${m.type.padEnd(15)} ${String(what).padEnd(28)} ${m.data.environment ?? ""}  ` +
        `webhook-id ${m.id}  signature ${m.verified ? "valid" : "INVALID"}`,
    );
  }
  if (subscription.received.length < 3)
    console.log(
      "  (each milestone is told once: what an earlier run already told, such as ENG-42 shipped, is not sent again)",
    );
  const log = (await (await api("/subscriptions/demo-ship-notes/deliveries")).json()) as { items?: any[] };
  console.log(
    `  delivery log: ${(log.items ?? []).map((d) => `${d.type} ${d.status} (${d.attempts} attempt)`).join(", ")}`,
  );
  subscription.close();
}

// The incident story (kit/incident-story.ts, docs/incidents.md): a deploy ships PR #7, production
// breaks, #7 is reverted and redeployed; the incident's suspects are ranked by evidence.
const incidents = incidentStory("ng", {
  run: `inc-${randomUUID().slice(0, 8)}`,
  secrets: {
    github: config.GITHUB_WEBHOOK_SECRET[0]!,
    deploy: config.DEPLOY_WEBHOOK_SECRET[0]!,
    pagerduty: first(config.PAGERDUTY_WEBHOOK_SECRET, "PAGERDUTY_WEBHOOK_SECRET"),
  },
});
console.log("\nIncident story:");
for (const { platform, name: label, request } of incidents.steps) {
  const res = await post(`${base}/webhooks/${platform}`, await request());
  console.log(
    `${String(res.status).padEnd(4)} ${platform.padEnd(9)} ${label}${res.status >= 300 ? `  ${res.text}` : ""}`,
  );
}
const incidentKey = `incident:github:${incidents.repo}#9`;
let detail: any;
for (let i = 0; i < 50 && detail?.incident?.status !== "resolved"; i++) {
  await new Promise((r) => setTimeout(r, 200));
  const r = await api(`/incidents/${encodeURIComponent(incidentKey)}`);
  if (r.status === 200) detail = await r.json();
}
if (detail) {
  console.log(`\n${incidentKey} (${detail.incident.status}) — suspects, best first:`);
  for (const s of detail.suspects) console.log(`  ${s.confidence.toFixed(2)}  ${s.deploy}  ${s.reasons.join("; ")}`);
}
const paged = (await (await api(`/incidents/${encodeURIComponent(incidents.pagerduty)}`)).json()) as any;
if (paged.incident) {
  const cause = paged.incident.cause;
  console.log(
    `${incidents.pagerduty} (${paged.incident.status}): cause ${cause ? `${cause.deploy} at ${cause.confidence}` : "—"}`,
  );
}
const since = new Date(INCIDENT_T0 - 2 * 86_400_000).toISOString();
const until = new Date(INCIDENT_T0 + 86_400_000).toISOString();
const dora = (await (
  await api(`/metrics/dora?repository=${incidents.repo}&since=${since}&until=${until}`)
).json()) as any;
if (dora.deploymentFrequency) {
  const pct = (r: number | null) => (r === null ? "—" : `${Math.round(r * 100)} %`);
  console.log(
    `\nDORA for ${incidents.repo}: ${dora.deploymentFrequency.perDay}/day, lead time ` +
      `${(dora.leadTimeForChanges.medianSeconds ?? 0) / 3600} h, fail rate ${pct(dora.changeFailureRate.rate)}, ` +
      `recovery ${(dora.timeToRestore.medianSeconds ?? 0) / 3600} h, rework ${pct(dora.deploymentReworkRate.rate)}`,
  );
}
