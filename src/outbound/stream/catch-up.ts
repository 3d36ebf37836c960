import type { Logger } from "../../shared/log.js";
import type { OutboxItem } from "../../shared/outbound.js";
import { entryOf, type Entry } from "./entry.js";
import { Fifo } from "./fifo.js";

/**
 * One client's place in the outbox (contract §10), without I/O: the client (client.ts) reads the
 * database and owns the socket; this decides what is sent, in which order, and when to read.
 *
 * Positions are gap-free, so "what was sent" is one number. Live, the client sends position p only
 * right after p - 1; whatever it cannot take that way (its history on resume, a hole) it reads from
 * the database, holding the live messages that arrive meanwhile and dropping those it already sent.
 */
export class CatchUp {
  /** Live messages held while the history is read, in increasing positions. */
  readonly held = new Fifo<Entry>();
  private sent: bigint;
  private live = false;
  private historyRead = false;
  /** The hub's position when it was ahead at the last `next`: known published, so a read must reach it. */
  private hubAhead: bigint | null = null;

  /** `send` gets every message that moves the client on, in order (the client applies its filter). */
  constructor(
    after: bigint,
    private readonly send: (e: Entry) => void,
    private readonly log: Pick<Logger, "warn">,
  ) {
    this.sent = after;
  }

  /** Taking the hub's messages as they come. */
  get isLive() {
    return this.live;
  }

  /** The last position sent (or passed over by the filter). */
  get position() {
    return this.sent;
  }

  /** Up to date with the hub: take its messages as they come. */
  goLive() {
    this.live = true;
  }

  /** A message the hub dispatched (positions increase): true when it is held, so history must be read. */
  offer(e: Entry): boolean {
    if (this.live) {
      if (e.pos <= this.sent) return false;
      if (e.pos === this.sent + 1n) {
        this.take(e);
        return false;
      }
      // A hole between what was sent and this (the hub started after this client): read it first.
      this.live = false;
      this.historyRead = false;
    }
    this.held.push(e);
    return true;
  }

  /**
   * One turn of a catch-up: sends the held messages that follow on, then goes live (true) once the
   * history is read to the end, nothing is held and the hub is not ahead; else a read is due.
   * `drained` is asked after the held messages are sent: whether the socket has taken most of it.
   */
  next(hub: bigint | null, drained: () => boolean): boolean {
    while (this.held.size && this.held.peek()!.pos <= this.sent + 1n) this.take(this.held.shift()!);
    // The hub may have started past this client (at the database's end) while it read: read on.
    this.hubAhead = hub !== null && hub > this.sent ? hub : null;
    if (this.held.size || !this.historyRead || this.hubAhead !== null || !drained()) return false;
    this.live = true;
    return true;
  }

  /**
   * A read about to begin: after what, and the last position known published before it began (the
   * first held message's predecessor, else the hub's). Known before the read, so committed before
   * it: the read's snapshot must hold it.
   */
  beginRead(): Reading {
    const first = this.held.peek();
    return { after: this.sent, known: first ? first.pos - 1n : this.hubAhead };
  }

  /** A page the read brought (`pageSize` asked): sends it; a short page means the history is read. */
  endRead(reading: Reading, page: OutboxItem[], pageSize: number): void {
    for (const item of page) this.take(entryOf(item));
    if (page.length >= pageSize) return;
    this.historyRead = true;
    this.sent = skipMissing(this.log, this.sent, reading.known, page.length) ?? this.sent;
  }

  /** Stops: what is held goes. */
  clear() {
    this.held.clear();
  }

  private take(e: Entry) {
    if (e.pos <= this.sent) return;
    this.sent = e.pos;
    this.send(e);
  }
}

export interface Reading {
  after: bigint;
  known: bigint | null;
}

/**
 * After a read past `from` found `found` rows: when none, positions up to `known` were published but
 * are not in the database. Nothing can fill them, so the reader does not wait for them: the
 * position to go on from (logged), or null when nothing is missing. The hub and its clients both skip here.
 */
export function skipMissing(log: Pick<Logger, "warn">, from: bigint, known: bigint | null, found: number) {
  if (found > 0 || known === null || known <= from) return null;
  log.warn({ from: String(from + 1n), to: String(known) }, "live stream: positions missing");
  return known;
}
