import { Readable } from "node:stream";
import { Redis } from "ioredis";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { deadline } from "../../shared/deadline.js";
import type { Logger } from "../../shared/log.js";
import { lastPosition, positionOf, readOutbox } from "../../store/outbox.js";
import { outboxChannel, type OutboxItem } from "../../shared/outbound.js";
import { outboxFrame, sseComment } from "./sse.js";

/**
 * The live stream's fan-out (contract §10). One hub per process holds the one subscription to the
 * relay's channel and hands each message to every client, so a thousand streams cost one Redis
 * connection, one JSON parse and one SSE frame per message.
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
}

export interface StreamHub {
  /** The position of a message by id (`Last-Event-ID`), or null when unknown or not relayed yet. */
  positionOf(id: string): Promise<bigint | null>;
  /** A client's SSE stream, or null once the hub is closing. */
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

/** Text for a client's socket, with its size in bytes counted once. */
interface Frame {
  text: string;
  bytes: number;
}

/** A message in the hub: its position parsed once, its frame formatted once for all clients. */
interface Entry {
  pos: bigint;
  item: OutboxItem;
  frame?: Frame;
}

const frame = (text: string): Frame => ({ text, bytes: Buffer.byteLength(text) });
const entryOf = (item: OutboxItem): Entry => ({ pos: BigInt(item.position), item });
const frameOf = (e: Entry) => (e.frame ??= frame(outboxFrame(e.item)));
const HEARTBEAT = frame(sseComment("keep-alive"));
/** Live messages waiting for the hub (while it reads a hole): past it the oldest go; the hole then covers them. */
const MAX_INCOMING = 50_000;

/** Messages dispatched between turns of the event loop. */
const YIELD_EVERY = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A FIFO whose shift is O(1). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get size() {
    return this.items.length - this.head;
  }
  push(v: T) {
    this.items.push(v);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
  clear() {
    this.items = [];
    this.head = 0;
  }
}

interface ClientDeps {
  read: OutboxSource["read"];
  log: Logger;
  pageSize: number;
  maxBuffered: number;
  maxBufferedBytes: number;
  closeGraceMs: number;
  retryMs: number;
  /** The last position the hub dispatched, null until it knows. */
  hubPosition(): bigint | null;
  remove(client: Client): void;
}

/** One client: what it was sent, its frames waiting for the socket, and live messages held while it reads history. */
class Client {
  readonly stream: Readable;
  readonly closed: Promise<void>;
  private sent: bigint;
  private live = false;
  private historyRead = false;
  private catching = false;
  private ended = false;
  private wanted = false;
  private readonly frames = new Fifo<Frame>();
  /** The bytes of `frames`. */
  private frameBytes = 0;
  private checkingBytes = false;
  private readonly held = new Fifo<Entry>();
  private onRoom: (() => void) | undefined;

  constructor(
    private readonly deps: ClientDeps,
    after: bigint,
    private readonly matches: (item: OutboxItem) => boolean,
    prologue: string,
  ) {
    this.sent = after;
    this.stream = new Readable({
      read: () => {
        this.wanted = true;
        this.flush();
      },
    });
    // Destroyed with an error when the client goes away: nothing to report.
    this.stream.on("error", () => undefined);
    this.closed = new Promise((resolve) => this.stream.once("close", resolve));
    void this.closed.then(() => this.stop());
    if (prologue) this.queue(frame(prologue));
  }

  /** Up to date with the hub: take its messages as they come. */
  goLive() {
    this.live = true;
  }

  /** The last position sent (or passed over by the filter), when taking live messages. */
  get livePosition(): bigint | null {
    return this.live && !this.ended ? this.sent : null;
  }

  /** A message the hub dispatched (positions increase). */
  offer(e: Entry): void {
    if (this.ended) return;
    if (this.live) {
      if (e.pos <= this.sent) return;
      if (e.pos === this.sent + 1n) return this.deliver(e);
      // A hole between what was sent and this (the hub started after this client): read it first.
      this.live = false;
      this.historyRead = false;
    }
    this.held.push(e);
    if (this.overflowing()) return void this.end("slow client");
    void this.catchUp();
  }

  heartbeat(): void {
    // Frames waiting mean the socket is busy anyway.
    if (this.ended || this.frames.size) return;
    this.queue(HEARTBEAT);
    this.flush();
  }

  /**
   * Reads from the database after what was sent until it has read to the end and every held live
   * message follows on, then goes live. Pages are read only as the socket takes frames.
   */
  async catchUp(): Promise<void> {
    if (this.catching || this.ended) return;
    this.catching = true;
    let failures = 0;
    try {
      while (!this.ended) {
        while (this.held.size && this.held.peek()!.pos <= this.sent + 1n) this.deliver(this.held.shift()!);
        // The hub may have started past this client (at the database's end) while it read: read on.
        const hub = this.deps.hubPosition();
        const behindHub = hub !== null && hub > this.sent;
        // Live once the socket has taken most of the history: live messages past the byte bound end the stream.
        const drained = this.frameBytes <= this.deps.maxBufferedBytes / 2;
        if (!this.held.size && this.historyRead && !behindHub && drained) return this.goLive();
        await this.room();
        if (this.ended) return;
        // Held before the read begins, so committed before it: its snapshot must hold what precedes it.
        const heldAtStart = this.held.peek();
        let page: OutboxItem[];
        try {
          page = await this.deps.read(this.sent, this.deps.pageSize);
        } catch (err) {
          // The database is away: keep the connection, hold live messages (up to the cap), try again.
          if (failures++ === 0) this.deps.log.warn({ err: (err as Error).message }, "live stream: history read failed");
          await sleep(this.deps.retryMs);
          continue;
        }
        failures = 0;
        for (const item of page) this.deliver(entryOf(item));
        if (page.length < this.deps.pageSize) {
          this.historyRead = true;
          const known = heldAtStart ? heldAtStart.pos - 1n : behindHub ? hub : null;
          if (!page.length && known !== null && known > this.sent) {
            // Published but not in the database: nothing can fill it, so do not wait for it.
            this.deps.log.warn({ from: String(this.sent + 1n), to: String(known) }, "live stream: positions missing");
            this.sent = known;
          }
        }
      }
    } finally {
      this.catching = false;
    }
  }

  /** Ends the stream gracefully; a client that does not read it to the end is cut after the grace. */
  end(reason: string): Promise<void> {
    if (!this.ended) {
      this.deps.log.debug({ reason }, "live stream ended");
      this.stop();
      if (!this.stream.destroyed) this.stream.push(null);
      const cut = setTimeout(() => this.stream.destroy(), this.deps.closeGraceMs);
      cut.unref();
      void this.closed.then(() => clearTimeout(cut));
    }
    return this.closed;
  }

  private stop() {
    this.ended = true;
    this.deps.remove(this);
    this.frames.clear();
    this.frameBytes = 0;
    this.held.clear();
    this.onRoom?.();
  }

  private deliver(e: Entry) {
    if (e.pos <= this.sent) return;
    this.sent = e.pos;
    if (!this.matches(e.item)) return;
    this.queue(frameOf(e));
    if (this.overflowing()) return void this.end("slow client");
    this.flush();
    // History is paced by `room`; live messages are not: a client that does not take them falls behind.
    if (this.live && this.frameBytes > this.deps.maxBufferedBytes) this.checkBytes();
  }

  /**
   * Over the byte bound: ends the stream unless the socket takes enough on the event loop's next turn.
   * A burst is dispatched in one turn, before any socket can take it, so it is not taken for slowness;
   * one frame alone, however large, is not behind either.
   */
  private checkBytes() {
    if (this.checkingBytes) return;
    this.checkingBytes = true;
    setImmediate(() => {
      this.checkingBytes = false;
      const behind = this.frames.size > 1 && this.frameBytes > this.deps.maxBufferedBytes;
      if (this.live && !this.ended && behind) void this.end("slow client");
    });
  }

  private queue(f: Frame) {
    this.frames.push(f);
    this.frameBytes += f.bytes;
  }

  private flush() {
    while (this.wanted && this.frames.size) {
      const f = this.frames.shift()!;
      this.frameBytes -= f.bytes;
      this.wanted = this.stream.push(f.text);
    }
    if (this.hasRoom()) this.onRoom?.();
  }

  private overflowing() {
    return this.frames.size + this.held.size > this.deps.maxBuffered;
  }

  private hasRoom() {
    return this.frames.size < this.deps.pageSize && this.frameBytes < this.deps.maxBufferedBytes / 2;
  }

  /** Resolves once the socket has taken most of what was read, so history never piles up in memory. */
  private room(): Promise<void> {
    if (this.ended || this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => {
      this.onRoom = () => {
        this.onRoom = undefined;
        resolve();
      };
    });
  }
}

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
      if (upTo !== null && !page.length) {
        // Published but not in the database: nothing can fill it, so do not wait for it.
        log.warn({ from: String(from + 1n), to: String(upTo) }, "live stream: positions missing");
        last = upTo;
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
    async open({ after, matches, prologue = "" }) {
      if (closed) return null;
      let start = after ?? last;
      if (start === null) start = await source.last();
      if (closed) return null;
      const client = new Client(deps, start, matches, prologue);
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

/** Reads for the hub from the outbox table. */
const databaseSource = (prisma: PrismaClient): OutboxSource => ({
  read: (after, limit) => readOutbox(prisma, after, limit),
  last: () => lastPosition(prisma),
  positionOf: (id) => positionOf(prisma, id),
});

/** A published batch as the relay sends it, or null (logged and dropped: a later hole fill covers it). */
function parseBatch(message: string): OutboxItem[] | null {
  try {
    const batch: unknown = JSON.parse(message);
    if (!Array.isArray(batch)) return null;
    const ok = batch.every(
      (i) => i && typeof i.id === "string" && typeof i.type === "string" && /^\d{1,19}$/.test(String(i.position)),
    );
    return ok ? (batch as OutboxItem[]) : null;
  } catch {
    return null;
  }
}

export interface StreamHubOptions {
  redisUrl: string;
  prefix: string;
  prisma: PrismaClient;
  log: Logger;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
}

/** The process's hub on its one Redis subscriber connection (a subscribed connection can do nothing else). */
export function createStreamHub(options: StreamHubOptions): StreamHub {
  const { log } = options;
  const hub = createHub({
    source: databaseSource(options.prisma),
    log,
    heartbeatMs: options.heartbeatMs,
    maxBufferedBytes: options.maxBufferedBytes,
  });
  const channel = outboxChannel(options.prefix);
  const sub = new Redis(options.redisUrl, {
    maxRetriesPerRequest: null,
    // Subscribed on every `ready` below, so the sweep follows the subscription.
    autoResubscribe: false,
    connectionName: `${options.prefix}:stream`,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  sub.on("error", (err) => log.warn({ err: err.message }, "stream subscriber redis error"));
  // Connected (again): once subscribed, what was published before is read from the database.
  sub.on("ready", () => {
    sub.subscribe(channel).then(
      () => hub.sweep(),
      (err: Error) => log.warn({ err: err.message }, "stream subscribe failed"),
    );
  });
  sub.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    const batch = parseBatch(message);
    if (batch) hub.receive(batch);
    else log.warn({ channel }, "live stream: unreadable outbox batch dropped");
  });

  return {
    positionOf: hub.positionOf,
    open: hub.open,
    get clients() {
      return hub.clients;
    },
    async close() {
      await hub.close();
      await deadline(sub.quit(), 1000, () => new Error("quit timed out")).catch(() => sub.disconnect());
    },
  };
}
