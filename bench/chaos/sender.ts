/**
 * The chaos bench's senders: a steady stream of correctly signed deliveries (GitHub, Slack, Linear,
 * deploy; unique delivery ids and bodies), each signed as its sender signs it (kit/sign.ts)
 * and signed anew on every attempt where the scheme covers a timestamp. A refused attempt (503, a
 * connection error, a timeout) is retried a few times with backoff; after that the delivery is
 * "given up". A few accepted deliveries are sent again with the same delivery id (a redelivery),
 * which must be answered 200 duplicate. Every attempt is logged: the log is what the bench counts.
 */
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { SignedRequest } from "../../kit/sign.js";
import { deliveryFactory, type Outgoing, type Secrets } from "./deliveries.js";

/** An attempt's result: an HTTP status, or the connection error's code. */
export type Attempt = number | string;

export interface SendRecord {
  key: string; // platform:deliveryId
  redelivery: boolean;
  attempts: Attempt[];
  /**
   * accepted: 202; duplicate: 200 duplicate (the delivery is queued); gave_up: retries exhausted;
   * refused: a final 4xx; aborted: the bench stopped.
   */
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
