import type { Config } from "../shared/config.js";
import type { Receiver } from "../platforms/platform.js";
import { PLATFORM_MODULES } from "../platforms/registry.js";
import type { Platform } from "../shared/event.js";

/** Receivers for the platforms that have secrets configured; the others answer 503. */
export function createReceivers(config: Config): Partial<Record<Platform, Receiver>> {
  const receivers: Partial<Record<Platform, Receiver>> = {};
  for (const m of Object.values(PLATFORM_MODULES)) {
    const secrets = config[m.secretsVariable];
    if (secrets.length) receivers[m.platform] = m.receiver(secrets);
  }
  return receivers;
}
