/**
 * The cap on live streams (Server-Sent Events now, a WebSocket later): a process serves at most
 * `total` of them, and at most `perToken` for one API token, so clients that open streams and never
 * read them cannot hold the process's memory. An endpoint takes a slot before it answers and
 * releases it once its client is gone (closed, failed, cut, shut down); past a cap it answers 503.
 * Pure: no I/O, no timers.
 */

export interface StreamLimits {
  /** Streams open at once in this process (STREAM_MAX_CLIENTS). */
  total: number;
  /** Streams open at once for one token (STREAM_MAX_CLIENTS_PER_TOKEN). */
  perToken: number;
}

/** A slot held; `release` gives it back, once however often it is called. */
export interface StreamSlot {
  ok: true;
  release(): void;
}

/** No slot: which limit was reached, for the 503's `error`. */
export interface SlotRefusal {
  ok: false;
  limit: "STREAM_MAX_CLIENTS" | "STREAM_MAX_CLIENTS_PER_TOKEN";
  max: number;
  error: string;
}

export interface StreamSlots {
  /** A slot for a stream of `token` (a non-secret token id), or why not. */
  take(token: string): StreamSlot | SlotRefusal;
  /** Slots held now, in all or by one token. */
  held(token?: string): number;
  readonly limits: StreamLimits;
}

export function createStreamSlots(limits: StreamLimits): StreamSlots {
  const byToken = new Map<string, number>();
  let total = 0;
  return {
    limits,
    take(token) {
      const mine = byToken.get(token) ?? 0;
      if (mine >= limits.perToken) {
        return {
          ok: false,
          limit: "STREAM_MAX_CLIENTS_PER_TOKEN",
          max: limits.perToken,
          error: `too many live streams for this token: at most ${limits.perToken} (STREAM_MAX_CLIENTS_PER_TOKEN)`,
        };
      }
      if (total >= limits.total) {
        return {
          ok: false,
          limit: "STREAM_MAX_CLIENTS",
          max: limits.total,
          error: `too many live streams: at most ${limits.total} (STREAM_MAX_CLIENTS)`,
        };
      }
      byToken.set(token, mine + 1);
      total++;
      let held = true;
      return {
        ok: true,
        release() {
          if (!held) return;
          held = false;
          total--;
          const left = byToken.get(token)! - 1;
          if (left) byToken.set(token, left);
          else byToken.delete(token); // no entry per token ever seen
        },
      };
    },
    held(token) {
      return token === undefined ? total : (byToken.get(token) ?? 0);
    },
  };
}
