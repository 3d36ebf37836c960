import type { Readable } from "node:stream";
import type { Logger } from "../../shared/log.js";
import type { OutboxItem } from "../../shared/outbound.js";
import { skipMissing } from "./catch-up.js";
import { Client, type ClientDeps } from "./client.js";
import { entryOf, SSE, type Entry, type StreamFormat } from "./entry.js";
import { Fifo } from "./fifo.js";

/**
 * The live stream's fan-out (contract §10). One hub per process holds the one subscription to the
 * relay's channel (redis.ts) and hands each message to every client (client.ts), so a thousand
 * streams cost one Redis connection, one JSON parse and one SSE frame per message.
 *
 * No gap, no duplicate: positions are gap-free, so "what was sent" is one number per client. The
 * hub dispatches positions contiguously (a hole in what Redis brought, a lost publish, is read
 * from the database first); a client sends position p only right after p - 1, and whatever it
 * cannot take that way (its history on resume, a hole) it reads from the database, holding the
 * live messages that arrive meanwhile and dropping those it already sent.
 */

/** Where the hub reads what Redis did not bring; tests give their own. */
export interface OutboxSource {
  read(after: bigint, limit: number): Promise<OutboxItem[]>;
  /** The last relayed position (0 when none). */
  last(): Promise<bigint>;
  positionOf(id: string): Promise<bigint | null>;
}

export interface HubOptions {
  source: OutboxSource;
  log: Logger;
  /** A `: keep-alive` comment to every client this often; the hub looks for lost publishes as often. */
  heartbeatMs?: number;
  /** Rows per database read. */
  pageSize?: number;
  /**
   * Messages held for one client (not yet taken by its socket, or live ones waiting for its
   * history): past it the stream ends and the client resumes from history, so memory stays bounded.
   */
  maxBuffered?: number;
  /**
   * Bytes of frames held for one client not yet taken by its socket: a live client past it has its
   * stream ended (it resumes from history), so one that never reads holds at most this much.
   * History is read only while under half of it.
   */
  maxBufferedBytes?: number;
  /** How long an ended stream may take to flush before its connection is cut. */
  closeGraceMs?: number;
  /** Wait before reading the database again after a failed read. */
  retryMs?: number;
}

export interface OpenOptions {
  /** Send what comes after this position; null: from now. */
  after: bigint | null;
  matches: (item: OutboxItem) => boolean;
  /** Written first (`retry:`, a note). */
  prologue?: string;
  /** Server-Sent Events unless told. */
  format?: StreamFormat;
  /** Told why the hub ended the stream (a slow client, shutdown), before it ends. */
  onEnd?: (reason: string) => void;
}

export interface StreamHub {
  /** The position of a message by id (`Last-Event-ID`), or null when unknown or not relayed yet. */
  positionOf(id: string): Promise<bigint | null>;
  /** The last relayed position (0 when none): where a resume by position may go up to. */
  lastPosition(): Promise<bigint>;
  /** A client's stream of frames (text for SSE, one object per message otherwise), or null once the hub is closing. */
  open(options: OpenOptions): Promise<Readable | null>;
  /** Streams open now. */
  readonly clients: number;
  /** Ends every stream (cut after a grace if its client does not read), then the subscription. */
  close(): Promise<void>;
}

/** A hub fed by hand: `receive` what the relay published, `sweep` to look for what it did not. */
export interface Hub extends StreamHub {
  receive(batch: OutboxItem[]): void;
  sweep(): void;
}

/** Live messages waiting for the hub (while it reads a hole): past it the oldest go; the hole then covers them. */
const MAX_INCOMING = 50_000;

/** Messages dispatched between turns of the event loop. */
const YIELD_EVERY = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The hub without its transport: feed it with `receive` (createStreamHub does, from Redis). */
export function createHub(options: HubOptions): Hub {
  const { source, log } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const pageSize = options.pageSize ?? 500;
  const retryMs = options.retryMs ?? 1000;
  const clients = new Set<Client>();
  const incoming = new Fifo<Entry>();
  /** The last position dispatched to clients; null until the hub knows where the relay is. */
  let last: bigint | null = null;
  let pumping = false;
  let sweepWanted = false;
  let closed = false;

  const deps: ClientDeps = {
    read: (after, limit) => source.read(after, limit),
    log,
    pageSize,
    maxBuffered: options.maxBuffered ?? 10_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    closeGraceMs: options.closeGraceMs ?? 1000,
    retryMs,
    hubPosition: () => last,
    remove: (c) => clients.delete(c),
  };

  function dispatch(e: Entry) {
    last = e.pos;
    for (const c of clients) c.offer(e);
  }

  /** Dispatches from the database what follows `last`, up to `upTo` (null: to the end). */
  async function fill(upTo: bigint | null) {
    for (;;) {
      const from = last!;
      if (upTo !== null && from >= upTo) return;
      const limit = upTo === null ? pageSize : Number(upTo - from < BigInt(pageSize) ? upTo - from : BigInt(pageSize));
      const page = await source.read(from, limit);
      for (const item of page) {
        const e = entryOf(item);
        if (e.pos > last!) dispatch(e);
      }
      if (upTo === null && page.length < limit) return;
      const skipTo = skipMissing(log, from, upTo, page.length);
      if (skipTo !== null) {
        last = skipTo;
        return;
      }
    }
  }

  /** Where a hub that does not know yet where the relay is starts: the live client furthest behind. */
  function liveBaseline(): bigint | null {
    let min: bigint | null = null;
    for (const c of clients) {
      const p = c.livePosition;
      if (p !== null && (min === null || p < min)) min = p;
    }
    return min;
  }

  async function take(e: Entry) {
    // The first message tells where the relay is, unless live clients say where they are.
    if (last === null) last = liveBaseline() ?? e.pos - 1n;
    if (e.pos <= last) return;
    // With no client to send it to, a hole needs no reading: a client that opens later reads its own history.
    if (e.pos > last + 1n) {
      if (clients.size) await fill(e.pos - 1n);
      else last = e.pos - 1n;
    }
    if (e.pos > last) dispatch(e);
  }

  async function sweepOnce() {
    if (last === null) {
      const end = liveBaseline() === null ? await source.last() : 0n;
      // A client may have gone live while the database answered: it says where to start.
      last = liveBaseline() ?? end;
    }
    await fill(null);
  }

  /**
   * One worker, so messages are dispatched in order; a failed read is retried and holds the rest back.
   * It lets the event loop run every few hundred messages: sockets take their frames meanwhile, so
   * a burst is not mistaken for clients that cannot keep up.
   */
  async function pump() {
    if (pumping) return;
    pumping = true;
    let sinceYield = 0;
    let failures = 0;
    try {
      while (!closed) {
        const next = incoming.peek();
        try {
          if (next) {
            await take(next);
            // Unless dropped meanwhile by an overflow of `incoming`.
            if (incoming.peek() === next) incoming.shift();
            failures = 0;
            if (++sinceYield >= YIELD_EVERY) {
              sinceYield = 0;
              await new Promise((resolve) => setImmediate(resolve));
            }
          } else if (sweepWanted) {
            sweepWanted = false;
            await sweepOnce();
          } else return;
        } catch (err) {
          const level = failures++ ? "debug" : "warn";
          log[level]({ err: (err as Error).message }, "live stream: outbox read failed; live messages held back");
          if (!next) continue; // a sweep: the next heartbeat tries again
          await sleep(retryMs);
        }
      }
    } finally {
      pumping = false;
    }
  }

  const timer = setInterval(() => {
    for (const c of clients) c.heartbeat();
    // A publish lost with a relay that crashed after commit shows here, not only with the next one.
    if (clients.size || last === null) hub.sweep();
  }, heartbeatMs);
  timer.unref();

  const hub: Hub = {
    receive(batch) {
      if (closed) return;
      for (const item of batch) incoming.push(entryOf(item));
      while (incoming.size > MAX_INCOMING) incoming.shift();
      void pump();
    },
    sweep() {
      if (closed) return;
      sweepWanted = true;
      void pump();
    },
    positionOf: (id) => source.positionOf(id),
    lastPosition: () => source.last(),
    async open({ after, matches, prologue = "", format = SSE, onEnd }) {
      if (closed) return null;
      let start = after ?? last;
      if (start === null) start = await source.last();
      if (closed) return null;
      const client = new Client(deps, start, { matches, prologue, format, onEnd });
      clients.add(client);
      if (last !== null && start === last) client.goLive();
      else void client.catchUp();
      return client.stream;
    },
    get clients() {
      return clients.size;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all([...clients].map((c) => c.end("shutdown")));
    },
  };
  return hub;
}
