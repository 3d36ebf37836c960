import { v7 as uuidv7 } from "uuid";
import type { Database } from "../../store/prisma.js";
import type { Logger } from "../../shared/log.js";
import type { MessageBody } from "../../shared/outbound.js";
import { onConnection } from "../../store/sql.js";
import { readDigestRows } from "../../store/outbox.js";
import {
  decidedPeriods,
  decidePeriod,
  digestSubscribers,
  periodKey,
  type DigestSubscriber,
} from "../../store/digests.js";
import { compileFilter } from "../match.js";
import { CATCH_UP, duePeriods, type Period } from "./period.js";
import { buildDigest, DIGEST_MILESTONES, DIGEST_TYPE_PREFIX } from "./summary.js";

/**
 * Slack digests (docs/outbound.md "Slack digests"): on each tick, every enabled digest subscription's
 * periods that ended (DIGEST_DELAY_S ago, for rows stored late) and are not decided yet are summed
 * up and decided: one `digest_periods` row each, and its summary message when there is something to
 * tell, in one statement. The row's key makes a period posted once across ticks, workers and
 * restarts; the message then goes the way of every other (the outbound worker, its retries, its log).
 * A timer, not a BullMQ scheduler: each worker ticks, and the table settles who decides.
 */

export interface DigestOptions {
  db: Database;
  /** Queues the first attempts of new messages (after their commit). */
  enqueueFirst(ids: string[]): Promise<unknown>;
  log: Logger;
  /** DIGEST_DELAY_S, in ms. */
  delayMs: number;
  /** Tests move time on; production reads the system clock. */
  clock?: () => Date;
  everyMs?: number;
}

/** How often a worker looks for due periods. */
const TICK_MS = 30_000;

/** Rows one digest reads at most: beyond, its lists are partial (and say so). */
const ROWS_MAX = 5000;

export interface Digests {
  /** One tick now; resolves to the number of summaries queued. */
  tick(): Promise<number>;
  close(): Promise<void>;
}

export function startDigests(o: DigestOptions): Digests {
  const clock = o.clock ?? (() => new Date());

  /** The summary message of one subscription's period, or null. */
  function summary(sub: DigestSubscriber, p: Period, rows: Awaited<ReturnType<typeof readDigestRows>>) {
    const data = buildDigest(p, rows, compileFilter(sub.types, sub.where), rows.length >= ROWS_MAX);
    if (!data) return null;
    const type = `${DIGEST_TYPE_PREFIX}${p.period}`;
    const payload: MessageBody = { type, timestamp: new Date().toISOString(), data };
    return { id: uuidv7(), type, payload };
  }

  /**
   * Periods that ended before this are not posted: those already due when the subscription last
   * changed (with a tick's margin), so a new digest brings no backlog, yet a PUT right after a period
   * ended, before its summary went, does not lose it.
   */
  const startsAfter = (sub: DigestSubscriber) => new Date(sub.updatedAt.getTime() - o.delayMs - (o.everyMs ?? TICK_MS));

  async function tick(): Promise<number> {
    const now = clock();
    return onConnection(o.db.pool, async (sql) => {
      const subs = await digestSubscribers(sql);
      const due = subs.flatMap((sub) =>
        duePeriods(now, sub.digest, o.delayMs, startsAfter(sub), CATCH_UP[sub.digest]).map((p) => ({ sub, p })),
      );
      if (!due.length) return 0;
      const oldest = new Date(Math.min(...due.map((d) => d.p.start.getTime())));
      const decided = await decidedPeriods(sql, [...new Set(due.map((d) => d.sub.id))], oldest);
      // One read per period, shared by the subscriptions that want it.
      const rowsOf = new Map<string, Promise<Awaited<ReturnType<typeof readDigestRows>>>>();
      const queued: string[] = [];
      for (const { sub, p } of due) {
        if (decided.has(periodKey(sub.id, p.period, p.start))) continue;
        const window = `${p.period}|${p.start.toISOString()}`;
        if (!rowsOf.has(window)) rowsOf.set(window, readDigestRows(sql, p.start, p.end, DIGEST_MILESTONES, ROWS_MAX));
        try {
          const message = summary(sub, p, await rowsOf.get(window)!);
          const id = await decidePeriod(sql, { subscriptionId: sub.id, period: p.period, start: p.start, message });
          if (id) queued.push(id);
        } catch (err) {
          // Deleted meanwhile, or the database away: the next tick tries again.
          o.log.warn({ err: (err as Error).message, subscription: sub.id }, "digest not decided");
        }
      }
      // Committed already: if Redis refuses now, the sweeper queues them once overdue.
      if (queued.length)
        await o
          .enqueueFirst(queued)
          .catch((err: Error) => o.log.warn({ err: err.message }, "digests: first attempts not queued"));
      return queued.length;
    });
  }

  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch((err: Error) => o.log.warn({ err: err.message }, "digest tick failed"))
      .finally(() => (running = null));
  }, o.everyMs ?? TICK_MS);
  timer.unref();

  return {
    tick,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
