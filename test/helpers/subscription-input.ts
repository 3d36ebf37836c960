import type { SubscriptionInput } from "../../src/shared/subscriptions.js";

/** What a webhook definition giving no options stores beside its own fields (shared/subscriptions.ts). */
export const PLAIN_INPUT: Pick<
  SubscriptionInput,
  "channel" | "moveTo" | "minPriority" | "rateLimit" | "maxInFlight" | "allowUnknownTypes" | "digest" | "dispatch"
> = {
  channel: null,
  moveTo: null,
  minPriority: null,
  rateLimit: null,
  maxInFlight: null,
  allowUnknownTypes: false,
  digest: null,
  dispatch: null,
};
