import type { Config } from "../shared/config.js";
import type { Receiver } from "../platforms/platform.js";
import { RECEIVER_MODULES } from "../platforms/registry.js";
import type { Platform } from "../shared/event.js";
import { receiveLimits, type ReceiveLimits } from "./limits.js";
import type { Enqueue } from "./receive-delivery.js";

/** Receivers for the platforms that have secrets configured; the others answer 503. */
function createReceivers(config: Config): Partial<Record<Platform, Receiver>> {
  const receivers: Partial<Record<Platform, Receiver>> = {};
  for (const m of Object.values(RECEIVER_MODULES)) {
    const secrets = config[m.secretsVariable];
    if (secrets.length) receivers[m.platform] = m.receiver(secrets, config);
  }
  return receivers;
}

/** What the web role's receivers need: createApp's `ingest`, with the receive limits (contract §2). */
export interface IngestDeps {
  receivers: Partial<Record<Platform, Receiver>>;
  enqueue: Enqueue;
  limits: ReceiveLimits;
}

export function ingestDeps(config: Config, enqueue: Enqueue): IngestDeps {
  return {
    receivers: createReceivers(config),
    enqueue,
    limits: receiveLimits(config),
  };
}
