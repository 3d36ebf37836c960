import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import type { LoadedMessage } from "../../store/outbound-messages.js";
import { claimProbe } from "../../store/subscriptions.js";
import { breakerWait } from "./breaker.js";
import { hostOf, type InFlight } from "./in-flight.js";
import type { Throttle } from "./throttle.js";

/**
 * Whether an attempt may be sent now (issue 18, issue 21), asked in this order: its subscription's
 * circuit breaker (open: put aside until it closes; half-open: only the one probe goes), the sends
 * in flight to its subscription and host, then its subscription's rate limit. A turn refused is
 * put aside and spends no attempt; `alone` ones (the rate limit's, each due at its own slot) are
 * put aside one by one, not with their batch. The common case, breaker closed and no rate limit,
 * costs one comparison more than the in-flight limits alone.
 */

export type Gate = { ok: true; release: () => void } | { ok: false; deferMs: number; alone?: boolean };

export interface AdmissionOptions {
  pool: pg.Pool;
  inFlight: InFlight;
  throttle: Throttle;
  /** How long a probe holds a half-open breaker (its send, at most): others wait that long. */
  probeMs: number;
}

const NO_SLOT: Gate = { ok: true, release: () => undefined };

/** A rate-limited turn due this soon waits here (its slot held) rather than in BullMQ's delayed set: accuracy. */
const SHORT_WAIT_MS = 100;

export function createAdmission(o: AdmissionOptions) {
  /** Null when the breaker lets the attempt go; otherwise the turn put aside. */
  async function breaker(s: LoadedMessage["subscription"]): Promise<Gate | null> {
    const wait = breakerWait(s.breakerOpenUntil, Date.now());
    if (wait === 0) return null;
    if (wait !== "probe") return { ok: false, deferMs: wait };
    const now = Date.now();
    const probe = await claimProbe(o.pool, s.id, new Date(now), new Date(now + o.probeMs));
    // Another attempt is the probe: back when its send is over (closed by then, or open again).
    return probe ? null : { ok: false, deferMs: o.probeMs };
  }

  /** Waits for the rate limit's turn: 0, or how long to put the attempt aside. */
  async function throttled(s: LoadedMessage["subscription"], id: string, perSecond: number): Promise<number> {
    let waitMs = await o.throttle.admit(s.id, id, perSecond);
    for (let waited = 0; waitMs > 0 && waited + waitMs <= SHORT_WAIT_MS; waited += waitMs) {
      await sleep(waitMs);
      waitMs = await o.throttle.admit(s.id, id, perSecond);
    }
    return waitMs;
  }

  /**
   * Messages just loaded take their place in their rate-limited subscriptions' lines at once, so
   * that of the messages loaded together (a batch, the jobs picked up at once) none is admitted
   * before an older one has joined. Best effort: a message also joins when it asks.
   */
  async function join(loaded: Iterable<LoadedMessage>): Promise<void> {
    // Only those about to be tried: one left in line for nothing would hold the others (for the grace).
    const throttledOnes = [...loaded].filter(
      (m) =>
        m.subscription.rateLimit !== null &&
        m.subscription.enabled &&
        (m.status === "pending" || m.status === "failed"),
    );
    if (!throttledOnes.length) return;
    await Promise.all(throttledOnes.map((m) => o.throttle.hold(m.subscription.id, m.id, 0))).catch(() => undefined);
  }

  async function admit(m: LoadedMessage, hasSender: boolean): Promise<Gate> {
    const s = m.subscription;
    const refused = await breaker(s);
    if (refused) return refused;
    const slot = hasSender
      ? await o.inFlight.acquire({
          subscription: s.id,
          host: s.kind === "webhook" ? hostOf(s.url) : null,
          subscriptionLimit: s.maxInFlight,
        })
      : NO_SLOT;
    if (!slot.ok) {
      // Its place in its subscription's line is kept: those behind it do not overtake it.
      if (s.rateLimit !== null) await o.throttle.hold(s.id, m.id, slot.deferMs);
      return slot;
    }
    if (s.rateLimit === null) return slot;
    try {
      const waitMs = await throttled(s, m.id, s.rateLimit);
      if (waitMs === 0) return slot;
      slot.release();
      return { ok: false, deferMs: waitMs, alone: true };
    } catch (err) {
      slot.release();
      throw err;
    }
  }

  return { admit, join };
}
