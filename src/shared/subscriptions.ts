import { randomBytes } from "node:crypto";
import type { SubscriptionKind, Where } from "./outbound.js";
import { maskUrl } from "./url-mask.js";

/**
 * A subscription's rules (contract §9), apart from HTTP and SQL: its signing secrets, what is stored
 * for a definition, how a PUT extends the stored one, and how the API shows it. The handler
 * (api/subscriptions.ts) validates, calls these and answers; the table is store/subscriptions.ts.
 */

/** What the API sets. */
export interface SubscriptionInput {
  name: string;
  kind: SubscriptionKind;
  url: string | null;
  channel: string | null;
  moveTo: string | null;
  types: string[];
  where: Where;
  enabled: boolean;
  /** `whsec_…`; every one signs. */
  secrets: string[];
}

export interface SubscriptionRow extends SubscriptionInput {
  id: string;
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A definition as the API validated it (api/subscriptions.ts), one per kind. */
export type SubscriptionDefinition = {
  name: string;
  types: string[];
  where: Where;
  enabled: boolean;
} & (
  | { kind: "webhook"; url: string; secret?: string; secrets?: string[] }
  | { kind: "slack"; channel: string }
  | { kind: "linear"; moveTo?: string }
);

/** Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
const WHSEC = /^whsec_([A-Za-z0-9+/]{32,88}={0,2})$/;

export function isSigningSecret(s: string): boolean {
  const m = WHSEC.exec(s);
  const bytes = m ? Buffer.from(m[1]!, "base64").length : 0;
  return bytes >= 24 && bytes <= 64;
}

/** A new signing secret: 32 random bytes. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`;

/**
 * What is stored for a definition: the secrets given, else those `kept`, else a new one (returned
 * as `generated`, to show once).
 */
export function inputOf(
  d: SubscriptionDefinition,
  kept: string[],
  generate: () => string = newSecret,
): { input: SubscriptionInput; generated?: string } {
  const base = { name: d.name, kind: d.kind, types: d.types, where: d.where, enabled: d.enabled };
  if (d.kind === "slack") return { input: { ...base, url: null, channel: d.channel, moveTo: null, secrets: [] } };
  if (d.kind === "linear")
    return { input: { ...base, url: null, channel: null, moveTo: d.moveTo ?? null, secrets: [] } };
  const given = d.secrets ?? (d.secret ? [d.secret] : null);
  const generated = given || kept.length ? undefined : generate();
  const secrets = given ?? (kept.length ? kept : [generated!]);
  return { input: { ...base, url: d.url, channel: null, moveTo: null, secrets }, generated };
}

/** The stored definition as a PUT body extends it: common fields, and the kind's own unless the kind changes. */
function storedDefinition(r: SubscriptionRow, kind: unknown): Record<string, unknown> {
  const base = { name: r.name, kind: r.kind, types: r.types, where: r.where, enabled: r.enabled };
  if (kind !== undefined && kind !== r.kind) return base;
  if (r.kind === "webhook") return { ...base, url: r.url };
  if (r.kind === "slack") return { ...base, channel: r.channel };
  return r.moveTo === null ? base : { ...base, moveTo: r.moveTo };
}

/**
 * A PUT body over the stored subscription: the fields given replace the stored ones. The URL as
 * answered (masked) given back means the stored one, not `***`. A new name is refused.
 */
export function mergePut(
  row: SubscriptionRow,
  body: Record<string, unknown>,
): { ok: true; merged: Record<string, unknown> } | { ok: false; problem: string } {
  if (body.name !== undefined && body.name !== row.name)
    return { ok: false, problem: "name: a subscription cannot be renamed" };
  const given = row.url && body.url === maskUrl(row.url) ? { ...body, url: row.url } : body;
  return { ok: true, merged: { ...storedDefinition(row, body.kind), ...given } };
}

/**
 * What a PUT writes: the definition, secrets kept when the kind stays and none are given, and
 * `enabled` only when the body set it, so a PUT of other fields never undoes a disable the delivery
 * worker made meanwhile.
 */
export function putUpdate(
  row: SubscriptionRow,
  d: SubscriptionDefinition,
  bodyEnabled: unknown,
): { update: Omit<SubscriptionInput, "enabled"> & { enabled?: boolean }; generated?: string } {
  const { input, generated } = inputOf(d, d.kind === row.kind ? row.secrets : []);
  const { enabled, ...rest } = input;
  return { update: bodyEnabled === undefined ? rest : { ...rest, enabled }, generated };
}

/** A subscription as the API shows it: never its secrets, only how many sign. */
export function describeSubscription(r: SubscriptionRow) {
  const target =
    r.kind === "webhook" ? { url: maskUrl(r.url) } : r.kind === "slack" ? { channel: r.channel } : { moveTo: r.moveTo };
  return {
    name: r.name,
    kind: r.kind,
    ...target,
    types: r.types,
    where: r.where,
    enabled: r.enabled,
    disabledReason: r.disabledReason,
    failingSince: r.failingSince,
    ...(r.kind === "webhook" ? { secretCount: r.secrets.length } : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A message id's page: the answer's `status` link. */
export const deliveryLink = (name: string, id: string): string => `/api/subscriptions/${name}/deliveries/${id}`;
