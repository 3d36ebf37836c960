/**
 * Limits on the sends in flight in one worker process (issue 21): at most `perSubscription` to one
 * subscription and `perHost` to one destination host, so a slow or unresolvable endpoint waits on
 * its own instead of holding the worker's slots. No I/O: the worker asks before each send and gets
 * either a slot, released when the send ends, or how long to put the job aside (BullMQ's delayed
 * set, which frees its worker slot) before it is tried again.
 *
 * A job whose subscription or host is at its limit waits here (holding its worker slot) only while
 * that key is moving: while its sends end within `slowMs`, so a slot is near. A key whose sends take
 * longer (on average, or the oldest one in flight) is slow: its jobs are put aside at once, their
 * returns spread over the time its slots are expected to free, so a hanging endpoint's backlog
 * neither holds slots nor comes back all at once.
 */

export interface InFlightOptions {
  perSubscription: number;
  perHost: number;
  /** A key whose sends take longer than this is slow: jobs do not wait here for it. */
  slowMs?: number;
  /** The longest a job waits here for a slot of a moving key before it is put aside. */
  maxWaitMs?: number;
  /** Bounds of the time a job is put aside. */
  minDeferMs?: number;
  maxDeferMs?: number;
  now?: () => number;
}

/** What a send is counted against. */
export interface SendKeys {
  subscription: string;
  /** The destination's host name; null when the subscription has no URL of its own (Slack, Linear). */
  host: string | null;
  /** The subscription's own limit (its `maxInFlight`), instead of `perSubscription`. */
  subscriptionLimit?: number | null;
}

export type Admission = { ok: true; release: () => void } | { ok: false; deferMs: number };

interface Key {
  name: string;
  limit: number;
  /** When each send in flight started. */
  started: number[];
  /** Jobs waiting here for this key. */
  waiting: number;
  /** Moving average of its sends' durations; null until one ended. */
  avgMs: number | null;
  /** When the last job put aside for this key is due back. */
  returnAt: number;
}

interface Waiter {
  keys: Key[];
  deadline: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve: (a: Admission) => void;
}

export interface InFlight {
  acquire(keys: SendKeys): Promise<Admission>;
  /** Sends in flight and jobs waiting, per key (`subscription:<id>`, `host:<name>`): tests and logs. */
  snapshot(): Record<string, { inFlight: number; waiting: number }>;
}

/** The destination host name of a subscription's URL (lower-cased by URL), or null. */
export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

export function createInFlight(o: InFlightOptions): InFlight {
  const slowMs = o.slowMs ?? 250;
  const maxWaitMs = o.maxWaitMs ?? 1000;
  const minDeferMs = o.minDeferMs ?? 50;
  const maxDeferMs = o.maxDeferMs ?? 30_000;
  const now = o.now ?? Date.now;
  const keys = new Map<string, Key>();
  const waiters: Waiter[] = [];

  function key(name: string, limit: number): Key {
    let k = keys.get(name);
    if (!k) keys.set(name, (k = { name, limit, started: [], waiting: 0, avgMs: null, returnAt: 0 }));
    k.limit = limit; // a subscription's maxInFlight may have changed
    return k;
  }
  const full = (k: Key) => k.started.length >= k.limit;
  /**
   * How long its sends take: the average, or longer if the oldest in flight has been going longer
   * (`started` is in the order the sends began: the oldest is first).
   */
  const sendMs = (k: Key, t: number) => Math.max(k.avgMs ?? 0, k.started.length ? t - k.started[0]! : 0);
  const slow = (k: Key, t: number) => sendMs(k, t) > slowMs;

  function prune(k: Key, t: number) {
    if (!k.started.length && !k.waiting && k.returnAt <= t) keys.delete(k.name);
  }

  function grant(ks: Key[]): Admission {
    const t = now();
    for (const k of ks) k.started.push(t);
    let released = false;
    return {
      ok: true,
      release() {
        if (released) return;
        released = true;
        const end = now();
        for (const k of ks) {
          k.started.splice(k.started.indexOf(t), 1);
          const d = end - t;
          k.avgMs = k.avgMs === null ? d : k.avgMs * 0.8 + d * 0.2;
        }
        wake(ks);
        for (const k of ks) prune(k, end);
      },
    };
  }

  /** Puts a job aside: each full key's next return is one slot's worth of its send time later. */
  function defer(ks: Key[]): Admission {
    const t = now();
    let due = t;
    for (const k of ks.filter(full)) {
      const step = sendMs(k, t) / k.limit;
      k.returnAt = Math.min(Math.max(t, k.returnAt) + step, t + maxDeferMs);
      due = Math.max(due, k.returnAt);
    }
    return { ok: false, deferMs: Math.round(Math.min(maxDeferMs, Math.max(minDeferMs, due - t))) };
  }

  function leave(w: Waiter) {
    waiters.splice(waiters.indexOf(w), 1);
    clearTimeout(w.timer);
    for (const k of w.keys) k.waiting--;
  }

  /**
   * Hands the slots freed on `freed` to the waiters that fit, first come first served. Only a
   * waiter for one of those keys can fit now, and none once they are all full again.
   */
  function wake(freed: Key[]) {
    if (!freed.some((k) => k.waiting > 0)) return;
    for (let i = 0; i < waiters.length && !freed.every(full);) {
      const w = waiters[i]!;
      if (w.keys.some(full) || !w.keys.some((k) => freed.includes(k))) {
        i++;
        continue;
      }
      leave(w); // removes waiters[i]: the next one moves to i
      w.resolve(grant(w.keys));
    }
  }

  /** A waiter's check: past its deadline, or a key it waits for turned slow, it is put aside. */
  function check(w: Waiter) {
    const t = now();
    const blocking = w.keys.filter(full);
    if (!blocking.length) {
      leave(w);
      w.resolve(grant(w.keys));
    } else if (t >= w.deadline || blocking.some((k) => slow(k, t))) {
      leave(w);
      w.resolve(defer(w.keys));
    } else w.timer = setTimeout(() => check(w), Math.min(slowMs, w.deadline - t));
  }

  return {
    acquire(sendKeys) {
      const ks = [key(`subscription:${sendKeys.subscription}`, sendKeys.subscriptionLimit ?? o.perSubscription)];
      if (sendKeys.host !== null) ks.push(key(`host:${sendKeys.host}`, o.perHost));
      if (!ks.some(full)) return Promise.resolve(grant(ks));
      const t = now();
      if (ks.filter(full).some((k) => slow(k, t))) return Promise.resolve(defer(ks));
      return new Promise<Admission>((resolve) => {
        const w: Waiter = { keys: ks, deadline: t + maxWaitMs, timer: undefined, resolve };
        for (const k of ks) k.waiting++;
        waiters.push(w);
        w.timer = setTimeout(() => check(w), Math.min(slowMs, maxWaitMs));
      });
    },
    snapshot() {
      return Object.fromEntries(
        [...keys.values()].map((k) => [k.name, { inFlight: k.started.length, waiting: k.waiting }]),
      );
    },
  };
}
