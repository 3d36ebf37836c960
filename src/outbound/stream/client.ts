import { Readable } from "node:stream";
import type { Logger } from "../../shared/log.js";
import type { OutboxItem } from "../../shared/outbound.js";
import { CatchUp } from "./catch-up.js";
import { frame, frameOf, type Entry, type Frame, type StreamFormat } from "./entry.js";
import { Fifo } from "./fifo.js";

export interface ClientDeps {
  read(after: bigint, limit: number): Promise<OutboxItem[]>;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** What a client is opened with besides where it starts. */
export interface ClientOptions {
  matches: (item: OutboxItem) => boolean;
  /** Written first (SSE: `retry:`, a note; a WebSocket: its `ready` message). */
  prologue: string;
  format: StreamFormat;
  /** Told once why the hub ended the stream ("slow client", "shutdown"), before it ends. */
  onEnd?: (reason: string) => void;
}

/**
 * One client of the hub (contract §10): its stream of frames (SSE text, or WebSocket messages in
 * object mode), its frames waiting for the socket, and the database reads its catch-up (catch-up.ts:
 * what was sent, live messages held meanwhile) asks for. The transport pipes `stream` to its socket.
 */
export class Client {
  readonly stream: Readable;
  readonly closed: Promise<void>;
  private readonly place: CatchUp;
  private catching = false;
  private ended = false;
  private wanted = false;
  private readonly frames = new Fifo<Frame>();
  /** The bytes of `frames`. */
  private frameBytes = 0;
  private checkingBytes = false;
  private onRoom: (() => void) | undefined;

  private readonly matches: (item: OutboxItem) => boolean;
  private readonly format: StreamFormat;
  private onEnd: ((reason: string) => void) | undefined;

  constructor(
    private readonly deps: ClientDeps,
    after: bigint,
    { matches, prologue, format, onEnd }: ClientOptions,
  ) {
    this.matches = matches;
    this.format = format;
    this.onEnd = onEnd;
    this.place = new CatchUp(after, (e) => this.deliver(e), deps.log);
    this.stream = new Readable({
      // One WebSocket message per frame: chunks must not be merged.
      objectMode: format.messages,
      // Messages held past the byte bound's count: as few as will keep the socket busy.
      ...(format.messages ? { highWaterMark: 1 } : {}),
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
    this.place.goLive();
  }

  /** The last position sent (or passed over by the filter), when taking live messages. */
  get livePosition(): bigint | null {
    return this.place.isLive && !this.ended ? this.place.position : null;
  }

  /** A message the hub dispatched (positions increase). */
  offer(e: Entry): void {
    if (this.ended || !this.place.offer(e)) return;
    if (this.overflowing()) return void this.end("slow client");
    void this.catchUp();
  }

  heartbeat(): void {
    // Frames waiting mean the socket is busy anyway.
    if (this.ended || this.frames.size || !this.format.heartbeat) return;
    this.queue(this.format.heartbeat);
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
    // Live once the socket has taken most of the history: live messages past the byte bound end the stream.
    const drained = () => this.frameBytes <= this.deps.maxBufferedBytes / 2;
    try {
      while (!this.ended) {
        if (this.place.next(this.deps.hubPosition(), drained)) return;
        await this.room();
        if (this.ended) return;
        const reading = this.place.beginRead();
        let page: OutboxItem[];
        try {
          page = await this.deps.read(reading.after, this.deps.pageSize);
        } catch (err) {
          // The database is away: keep the connection, hold live messages (up to the cap), try again.
          if (failures++ === 0) this.deps.log.warn({ err: (err as Error).message }, "live stream: history read failed");
          await sleep(this.deps.retryMs);
          continue;
        }
        failures = 0;
        this.place.endRead(reading, page, this.deps.pageSize);
      }
    } finally {
      this.catching = false;
    }
  }

  /** Ends the stream gracefully; a client that does not read it to the end is cut after the grace. */
  end(reason: string): Promise<void> {
    if (!this.ended) {
      this.deps.log.debug({ reason }, "live stream ended");
      this.onEnd?.(reason);
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
    this.onEnd = undefined;
    this.deps.remove(this);
    this.frames.clear();
    this.frameBytes = 0;
    this.place.clear();
    this.onRoom?.();
  }

  /** A message that moves the client on (catch-up.ts keeps the order): its frame, if the filter takes it. */
  private deliver(e: Entry) {
    if (!this.matches(e.item)) return;
    this.queue(frameOf(e, this.format));
    if (this.overflowing()) return void this.end("slow client");
    this.flush();
    // History is paced by `room`; live messages are not: a client that does not take them falls behind.
    if (this.place.isLive && this.frameBytes > this.deps.maxBufferedBytes) this.checkBytes();
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
      if (this.place.isLive && !this.ended && behind) void this.end("slow client");
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
    return this.frames.size + this.place.held.size > this.deps.maxBuffered;
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
