/**
 * The chaos bench's senders: a steady stream of correctly signed deliveries (GitHub, Slack, Linear,
 * deploy; unique delivery ids and bodies), each signed as its sender signs it (src/senders/sign.ts)
 * and signed anew on every attempt where the scheme covers a timestamp. A refused attempt (503, a
 * connection error, a timeout) is retried a few times with backoff; after that the delivery is
 * "given up". A few accepted deliveries are sent again with the same delivery id (a redelivery),
 * which must be answered 200 duplicate. Every attempt is logged: the log is what the bench counts.
 */
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { deployRequest, githubRequest, linearRequest, slackRequest, type SignedRequest } from "../../kit/sign.js";
import type { Platform } from "../../src/shared/event.js";

export interface Secrets {
  github: string;
  slack: string;
  linear: string;
  deploy: string; // whsec_…
}

/** One delivery as a sender holds it: the same delivery id on every attempt and redelivery. */
interface Outgoing {
  platform: Platform;
  deliveryId: string;
  path: string;
  sign(redelivery: boolean): Promise<SignedRequest> | SignedRequest;
}

/** An attempt's result: an HTTP status, or the connection error's code. */
export type Attempt = number | string;

export interface SendRecord {
  key: string; // platform:deliveryId
  redelivery: boolean;
  attempts: Attempt[];
  /** accepted: 202; duplicate: 200 duplicate (the delivery is queued); gave_up: retries exhausted; refused: a final 4xx; aborted: the bench stopped. */
  outcome: "accepted" | "duplicate" | "gave_up" | "refused" | "aborted";
  /** The event id the receiver answered with. */
  id?: string;
  startedAt: number;
  endedAt: number;
}

export interface SenderOptions {
  port: number;
  secrets: Secrets;
  /** Prefix that makes delivery ids unique to the run and scenario. */
  tag: string;
  /** Waits between attempts (its length + 1 attempts in all). */
  backoffMs: number[];
  timeoutMs: number;
  /** Most deliveries in progress (retries included); past it the stream falls behind and catches up. */
  maxInflight: number;
  /** One accepted delivery in this many is redelivered (same delivery id) 0.3–1.5 s later. */
  redeliverEvery: number;
}

const RETRYABLE = (a: Attempt) => typeof a === "string" || a === 503 || a === 429 || a >= 500;

export function createSender(o: SenderOptions) {
  // Idle sockets are dropped after 2 s, well before the server's keep-alive timeout (5 s), so a
  // request never races the server closing its socket (an ECONNRESET that is no fault's doing).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 2000 });
  const log: SendRecord[] = [];
  const inflight = new Set<Promise<void>>();
  let seq = 0;
  let aborted = false;
  let behind = 0;
  const make = deliveryFactory(o.tag, o.secrets);

  function post(path: string, req: SignedRequest): Promise<{ status: number; body: string } | { error: string }> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: { status: number; body: string } | { error: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const r = http.request(
        {
          host: "127.0.0.1",
          port: o.port,
          path,
          method: "POST",
          agent,
          headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
        },
      );
      const timer = setTimeout(() => {
        done({ error: "TIMEOUT" });
        r.destroy();
      }, o.timeoutMs);
      r.on("error", (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
      r.end(req.body);
    });
  }

  async function deliver(out: Outgoing, redelivery: boolean): Promise<SendRecord> {
    const rec: SendRecord = {
      key: `${out.platform}:${out.deliveryId}`,
      redelivery,
      attempts: [],
      outcome: "gave_up",
      startedAt: Date.now(),
      endedAt: 0,
    };
    log.push(rec);
    for (let i = 0; ; i++) {
      const res = await post(out.path, await out.sign(redelivery));
      const attempt: Attempt = "error" in res ? res.error : res.status;
      rec.attempts.push(attempt);
      if (!("error" in res) && (res.status === 200 || res.status === 202)) {
        try {
          const body = JSON.parse(res.body) as { id?: string; duplicate?: boolean };
          rec.id = body.id;
          rec.outcome = body.duplicate ? "duplicate" : "accepted";
        } catch {
          rec.outcome = "accepted";
        }
        break;
      }
      if (!RETRYABLE(attempt)) {
        rec.outcome = "refused";
        break;
      }
      if (aborted) {
        rec.outcome = "aborted";
        break;
      }
      if (i >= o.backoffMs.length) break; // gave up
      await sleep(o.backoffMs[i]! * (0.8 + Math.random() * 0.4));
    }
    rec.endedAt = Date.now();
    return rec;
  }

  function track(p: Promise<unknown>) {
    const t: Promise<void> = p
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => inflight.delete(t));
    inflight.add(t);
  }

  function launch() {
    const n = seq++;
    const run = async () => {
      const out = await make(n);
      const rec = await deliver(out, false);
      if (
        n % o.redeliverEvery === o.redeliverEvery - 1 &&
        (rec.outcome === "accepted" || rec.outcome === "duplicate") &&
        !aborted
      ) {
        await sleep(300 + Math.random() * 1200);
        await deliver(out, true);
      }
    };
    track(run());
  }

  return {
    log,
    get sent() {
      return seq;
    },
    get inflight() {
      return inflight.size;
    },
    get behind() {
      return behind;
    },
    /** Sends at `rate`/s for `seconds` (bounded: rate × seconds deliveries, at most `maxMs`). */
    async run(rate: number, seconds: number) {
      const total = Math.round(rate * seconds);
      const t0 = performance.now();
      let issued = 0;
      const until = Date.now() + seconds * 1000 + 30_000;
      while (issued < total && !aborted && Date.now() < until) {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
        while (issued < due && inflight.size < o.maxInflight) {
          launch();
          issued++;
        }
        if (issued < due) behind = Math.max(behind, due - issued);
        await sleep(10);
      }
    },
    /** `n` deliveries at once (a burst that fills the workers' batches). */
    burst(n: number) {
      for (let i = 0; i < n && inflight.size < o.maxInflight; i++) launch();
    },
    /** Resolves once every delivery has its outcome, or after `ms`. */
    async settle(ms: number): Promise<boolean> {
      const until = Date.now() + ms;
      while (inflight.size && Date.now() < until) await Promise.race([Promise.all([...inflight]), sleep(250)]);
      return inflight.size === 0;
    },
    abort() {
      aborted = true;
    },
    close() {
      agent.destroy();
    },
  };
}

export type Sender = ReturnType<typeof createSender>;

// ---------------------------------------------------------------------------------------------
// Deliveries: 40% GitHub (push, pull_request, issues), 25% Slack messages, 20% Linear issues,
// 15% deploys; over a few dozen repositories, teams and channels, so the workers' writers share
// the load as they do in production. Bodies are unique (a GitHub or Linear body seen under another
// delivery id would be a replay, contract §2).
// ---------------------------------------------------------------------------------------------

const REPOS = Array.from({ length: 24 }, (_, i) => `chaos${i % 4}/svc-${i}`);
const TEAMS = ["ENG", "WEB", "API", "OPS", "DATA", "MOB"];
const PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank"];

function deliveryFactory(tag: string, s: Secrets) {
  const counters = new Map<string, number>();
  const next = (k: string) => {
    const n = (counters.get(k) ?? 0) + 1;
    counters.set(k, n);
    return n;
  };
  const sha = (n: number, what: string) => createHash("sha1").update(`${tag}:${what}:${n}`).digest("hex");

  return async function make(n: number): Promise<Outgoing> {
    const repo = REPOS[n % REPOS.length]!;
    const person = PEOPLE[n % PEOPLE.length]!;
    const now = new Date().toISOString();
    const bucket = n % 20;
    if (bucket < 8) {
      const repository = {
        id: 1000 + (n % REPOS.length),
        name: repo.split("/")[1],
        full_name: repo,
        private: true,
        html_url: `https://github.com/${repo}`,
        default_branch: "main",
        owner: { login: repo.split("/")[0] },
      };
      const sender = { login: person, type: "User" };
      let event: string;
      let payload: Record<string, unknown>;
      if (bucket < 4) {
        const after = sha(n, "push");
        const commit = {
          id: after,
          message: `change ${n}`,
          timestamp: now,
          url: `https://github.com/${repo}/commit/${after}`,
          author: { name: person },
        };
        event = "push";
        payload = {
          ref: `refs/heads/${person}/work-${n}`,
          before: "0".repeat(40),
          after,
          forced: false,
          created: true,
          compare: `https://github.com/${repo}/compare/${after}`,
          commits: [commit],
          head_commit: commit,
          repository,
          sender,
        };
      } else if (bucket < 6) {
        const number = next(`pr:${repo}`);
        event = "pull_request";
        payload = {
          action: "opened",
          number,
          repository,
          sender,
          pull_request: {
            number,
            title: `Change ${n}`,
            body: `Work ${tag} ${n}`,
            state: "open",
            merged: false,
            html_url: `https://github.com/${repo}/pull/${number}`,
            user: { login: person },
            head: { ref: `${person}/work-${n}`, sha: sha(n, "head") },
            base: { ref: "main" },
            merge_commit_sha: null,
            created_at: now,
            updated_at: now,
            merged_at: null,
            closed_at: null,
          },
        };
      } else {
        const number = 100_000 + next(`issue:${repo}`);
        event = "issues";
        payload = {
          action: "opened",
          issue: {
            number,
            title: `Broken ${n}`,
            state: "open",
            html_url: `https://github.com/${repo}/issues/${number}`,
            updated_at: now,
            user: { login: person },
          },
          repository,
          sender,
        };
      }
      const signed = await githubRequest(event, payload, s.github, randomUUID());
      return {
        platform: "github",
        deliveryId: signed.headers["x-github-delivery"]!,
        path: "/webhooks/github",
        sign: () => signed,
      };
    }
    if (bucket < 13) {
      const at = Date.now();
      const ts = `${Math.floor(at / 1000)}.${String(n).padStart(6, "0")}`;
      const eventId = `Ev${tag}${n}`;
      const event = {
        type: "message",
        channel: `C${String(n % 16).padStart(8, "0")}`,
        user: `U${person.toUpperCase()}`,
        text: `Deployed <https://github.com/${repo}/pull/${1 + (n % 50)}> (${n})`,
        ts,
        event_ts: ts,
      };
      const body = JSON.stringify({
        type: "event_callback",
        team_id: "T0CHAOS",
        api_app_id: "A0CHAOS",
        event_id: eventId,
        event_time: Math.floor(at / 1000),
        event,
      });
      return {
        platform: "slack",
        deliveryId: eventId,
        path: "/webhooks/slack",
        sign(redelivery) {
          const req = slackRequest(body, "application/json", s.slack);
          if (redelivery)
            Object.assign(req.headers, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
          return req;
        },
      };
    }
    if (bucket < 17) {
      const team = TEAMS[n % TEAMS.length]!;
      const number = next(`team:${team}`);
      const identifier = `${team}-${number}`;
      const data = {
        id: randomUUID(),
        identifier,
        number,
        title: `Task ${n}`,
        team: { id: team.toLowerCase(), key: team, name: team },
        state: { name: "Todo" },
        url: `https://linear.app/chaos/issue/${identifier}/task`,
        createdAt: now,
        updatedAt: now,
      };
      const payload = {
        action: "create",
        type: "Issue",
        data,
        url: data.url,
        createdAt: now,
        actor: { id: "u1", name: person, type: "user" },
      };
      const deliveryId = randomUUID();
      return {
        platform: "linear",
        deliveryId,
        path: "/webhooks/linear",
        sign: () => linearRequest(payload, s.linear, deliveryId),
      };
    }
    const id = `${repo.replace("/", "-")}-${tag}-${n}`;
    const body = {
      id,
      repository: repo,
      environment: n % 3 ? "staging" : "production",
      status: "succeeded",
      sha: sha(n, "deploy"),
      ref: "main",
      service: repo.split("/")[1],
      url: `https://deploy.example.com/${repo}/${id}`,
      started_at: now,
      finished_at: now,
    };
    const webhookId = `msg_${randomUUID()}`;
    return {
      platform: "deploy",
      deliveryId: webhookId,
      path: "/webhooks/deploy",
      sign: () => deployRequest(body, s.deploy, webhookId),
    };
  };
}
