import { describe, expect, it } from "vitest";
import { SECRETS, useTestPrisma, useTestService, waitFor } from "../helpers/service.js";
import { post } from "../../kit/sign.js";
import { incidentStory, INCIDENT_T0, type IncidentStep } from "../../kit/incident-story.js";
import { prng } from "../../kit/prng.js";
import { apiCall } from "../helpers/api-call.js";

/**
 * Issue 16's incident story (kit/incident-story.ts), sent in three arrival orders to three
 * namespaces: each gives the same ranked suspects and DORA's five metrics, with the exact values
 * worked out by hand in docs/incidents.md.
 */
const ctx = useTestService({ WORKER_CONCURRENCY: "8" });
const prisma = useTestPrisma();
const call = apiCall(ctx);
const api = (path: string) => call("GET", `/api${path}`);
const H = 3600;

const secrets = { github: SECRETS.github[0]!, deploy: SECRETS.deploy[0]!, pagerduty: SECRETS.pagerduty[0]! };

function ordered(steps: IncidentStep[], order: "sent" | "reversed" | "shuffled"): IncidentStep[] {
  if (order === "sent") return steps;
  if (order === "reversed") return [...steps].reverse();
  const random = prng(16);
  return steps
    .map((s) => ({ s, r: random() }))
    .sort((a, b) => a.r - b.r)
    .map(({ s }) => s);
}

async function send(ns: string, order: "sent" | "reversed" | "shuffled") {
  const s = incidentStory(ns, { secrets });
  for (const step of ordered(s.steps, order)) {
    const res = await post(`${ctx.url}/webhooks/${step.platform}`, await step.request());
    expect(res.status, `${step.name}: ${res.text}`).toBe(202);
  }
  // Every delivery stored and the queue idle: the rankings after the last batches have run.
  await waitFor(async () => {
    const events = await api(`/events?subject=${encodeURIComponent(`github:repo:${s.repo}`)}&limit=1`);
    const q = await api("/queue");
    const stored = await api(`/metrics/dora?repository=${s.repo}&since=${s.at(-48)}&until=${s.at(24)}`);
    return (
      events.status === 200 &&
      q.json.waiting + q.json.active + q.json.prioritized === 0 &&
      stored.json.deploys.length === 3
    );
  }, 30_000);
  return s;
}

describe("the incident story, in any arrival order", () => {
  for (const [ns, order] of [
    ["io1", "sent"],
    ["io2", "reversed"],
    ["io3", "shuffled"],
  ] as const) {
    it(`${order}: ranks the suspects by evidence and gives DORA's five metrics`, async () => {
      const s = await send(ns, order);
      const key = `incident:github:${s.repo}#9`;
      const detail = await waitFor(async () => {
        const r = await api(`/incidents/${encodeURIComponent(key)}`);
        return r.status === 200 && r.json.suspects.length === 2 && r.json.incident.status === "resolved" && r;
      }, 15_000);
      expect(detail.json.incident).toMatchObject({
        source: "github",
        status: "resolved",
        repository: s.repo,
        openedAt: s.at(3.5),
        resolvedAt: s.at(6.5),
        names: [`github:pr:${s.repo}#7`],
        cause: { deploy: s.deploy("1"), confidence: 0.85 },
      });
      expect(detail.json.suspects.map((x: any) => [x.deploy, x.confidence, x.rule])).toEqual([
        [s.deploy("1"), 0.85, "incident-suspect"],
        [s.deploy("0"), 0.25, "incident-suspect"],
      ]);
      expect(detail.json.suspects[0].reasons).toEqual([
        `deployed ${s.service} to production before the incident, shipping 2 changes`,
        "the incident names PR #7",
        "a change it shipped was reverted",
        `the last deploy of ${s.service} to production before the incident`,
      ]);

      // The page names nothing: the same deploy leads on the rest of the evidence.
      const paged = await waitFor(async () => {
        const r = await api(`/incidents/${encodeURIComponent(s.pagerduty)}`);
        return r.status === 200 && r.json.incident.status === "resolved" && r.json.suspects.length === 2 && r;
      }, 15_000);
      expect(paged.json.incident).toMatchObject({
        source: "pagerduty",
        service: s.service,
        openedAt: s.at(3.6),
        acknowledgedAt: s.at(3.8),
        resolvedAt: s.at(6.5),
        names: [],
      });
      expect(paged.json.suspects.map((x: any) => [x.deploy, x.confidence])).toEqual([
        [s.deploy("1"), 0.45],
        [s.deploy("0"), 0.25],
      ]);

      // told once for its top suspect (and for any that was top before the facts were all in)
      const told = await prisma.outboxEntry.findMany({ where: { type: "incident.linked", subject: key } });
      expect(told.map((m) => m.factKey)).toContain(`incident.linked:${key}|${s.deploy("1")}`);
      const linked = told.find((m) => m.factKey === `incident.linked:${key}|${s.deploy("1")}`)!;
      expect(linked.data).toMatchObject({
        incident: { key, status: expect.any(String), repository: s.repo },
        deploy: { key: s.deploy("1"), repository: s.repo, environment: "production" },
        rule: "incident-suspect",
      });

      const since = new Date(INCIDENT_T0 - 2 * 86_400_000).toISOString();
      const until = new Date(INCIDENT_T0 + 86_400_000).toISOString();
      const { json: dora } = await api(`/metrics/dora?repository=${s.repo}&since=${since}&until=${until}`);
      expect(dora.deploymentFrequency).toEqual({ deploys: 3, perDay: 1 });
      // #8: 1 h from its creation; #7: 5 h from its first commit; the baseline commit: 24 h
      expect(dora.leadTimeForChanges).toEqual({ changes: 3, medianSeconds: 5 * H, p90Seconds: 20.2 * H });
      expect(dora.changeFailureRate).toEqual({ deployments: 3, failures: 1, rate: 1 / 3 });
      // the revert reached production at 6 h, before the incident was closed at 6.5 h
      expect(dora.timeToRestore).toEqual({ restored: 1, medianSeconds: 3 * H });
      expect(dora.deploymentReworkRate).toEqual({ deployments: 3, reworks: 1, rate: 1 / 3 });
      expect(dora.bands).toEqual({
        deploymentFrequency: "elite",
        leadTimeForChanges: "elite",
        changeFailureRate: "low",
        timeToRestore: "high",
      });
      expect(dora.deploys.map((d: any) => [d.key, d.failure, d.rework, d.incidents])).toEqual([
        [s.deploy("0"), false, false, []],
        [s.deploy("1"), true, false, [key, s.pagerduty]],
        [s.deploy("2"), false, true, []],
      ]);
    });
  }
});
