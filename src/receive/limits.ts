import { RECEIVER_MODULES } from "../platforms/registry.js";
import type { Config } from "../shared/config.js";
import type { WebhookPlatform } from "../shared/event.js";

/** One request's share of the in-flight budget; released once, when the request ends (also on abort). */
export interface Holding {
  /** Counts `bytes` more for this request; false (nothing counted) when the budget cannot take them. */
  add(bytes: number): boolean;
  release(): void;
}

/**
 * Body bytes being read or held at once across all webhook requests (contract §2 limits): what bounds
 * the memory bodies take, whatever the number of connections. A request alone in flight may always
 * go on (its platform limit bounds it), so a cap below a platform limit cannot refuse everything.
 */
export class InflightBytes {
  #used = 0;
  constructor(readonly cap: number) {}

  open(): Holding {
    let held = 0;
    let released = false;
    return {
      add: (bytes) => {
        if (released) return false;
        if (this.#used + bytes > this.cap && this.#used !== held) return false;
        held += bytes;
        this.#used += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#used -= held;
        held = 0;
      },
    };
  }
}

/** What the receive path enforces besides verification. */
export interface ReceiveLimits {
  /** Body limit of each platform, already capped by the overall WEBHOOK_MAX_BYTES. */
  maxBytes: Record<WebhookPlatform, number>;
  inflight: InflightBytes;
}

export function receiveLimits(config: Config): ReceiveLimits {
  const maxBytes = Object.fromEntries(
    Object.values(RECEIVER_MODULES).map((m) => [
      m.platform,
      Math.min(config[m.maxBytesVariable], config.WEBHOOK_MAX_BYTES),
    ]),
  ) as Record<WebhookPlatform, number>;
  return {
    maxBytes,
    inflight: new InflightBytes(config.WEBHOOK_MAX_INFLIGHT_BYTES),
  };
}
