import { randomBytes } from "node:crypto";
import type { Priority } from "./event.js";
import type { DigestPeriod, DispatchTarget, SubscriptionKind, Where } from "./outbound.js";
import { maskUrl } from "./url-mask.js";

/**
 * A subscription's rules (contract §9), apart from HTTP and SQL: its signing secrets, what is stored
 * for a definition, how a PUT extends the stored one, and how the API shows it. The handler
 * (api/subscriptions.ts) validates, calls these and answers; the table is store/subscriptions.ts.
 */

/** Options every kind takes (issue 18). */
export interface SubscriptionOptions {
  /** Only messages of this priority or above; null: every one. */
  minPriority: Priority | null;
  /** Messages per second at most, the rest queued in order; null: no limit. */
  rateLimit: number | null;
  /** Attempts in flight at once; null: OUTBOUND_MAX_IN_FLIGHT_PER_SUBSCRIPTION. */
  maxInFlight: number | null;
  /** Types were accepted though no known type matches them. */
  allowUnknownTypes: boolean;
}

/** What the API sets. */
export interface SubscriptionInput extends SubscriptionOptions {
  name: string;
  kind: SubscriptionKind;
  url: string | null;
  channel: string | null;
  moveTo: string | null;
  /** slack: a summary per period instead of a message per event. */
  digest: DigestPeriod | null;
  /** github-dispatch: what it dispatches where. */
  dispatch: DispatchTarget | null;
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
  /** The circuit breaker: consecutive failed attempts, and until when it is open (null: closed). */
  breakerFailures: number;
  breakerOpenUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A definition as the API validated it (api/subscriptions.ts), one per kind. */
export type SubscriptionDefinition = {
  name: string;
  types: string[];
  where: Where;
  enabled: boolean;
} & Partial<SubscriptionOptions> &
  (
    | { kind: "webhook"; url: string; secret?: string; secrets?: string[] }
    | { kind: "slack"; channel: string; digest?: DigestPeriod }
    | { kind: "linear"; moveTo?: string }
    | ({ kind: "github-dispatch" } & DispatchTarget)
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

/** The options of a definition, their defaults where it gives none. */
const optionsOf = (d: Partial<SubscriptionOptions>): SubscriptionOptions => ({
  minPriority: d.minPriority ?? null,
  rateLimit: d.rateLimit ?? null,
  maxInFlight: d.maxInFlight ?? null,
  allowUnknownTypes: d.allowUnknownTypes ?? false,
});

/** The dispatch target of a definition: only its own fields. */
const dispatchOf = (d: DispatchTarget): DispatchTarget =>
  "workflow" in d
    ? { repository: d.repository, workflow: d.workflow, ref: d.ref }
    : { repository: d.repository, eventType: d.eventType };

/** The options as stored, set ones only (what a PUT body extends). */
const setOptions = (r: SubscriptionOptions) => ({
  ...(r.minPriority !== null ? { minPriority: r.minPriority } : {}),
  ...(r.rateLimit !== null ? { rateLimit: r.rateLimit } : {}),
  ...(r.maxInFlight !== null ? { maxInFlight: r.maxInFlight } : {}),
  ...(r.allowUnknownTypes ? { allowUnknownTypes: true } : {}),
});

/**
 * What is stored for a definition: the secrets given, else those `kept`, else a new one (returned
 * as `generated`, to show once).
 */
export function inputOf(
  d: SubscriptionDefinition,
  kept: string[],
  generate: () => string = newSecret,
): { input: SubscriptionInput; generated?: string } {
  const base = {
    name: d.name,
    kind: d.kind,
    types: d.types,
    where: d.where,
    enabled: d.enabled,
    ...optionsOf(d),
    url: null,
    channel: null,
    moveTo: null,
    digest: null,
    dispatch: null,
    secrets: [],
  };
  if (d.kind === "slack") return { input: { ...base, channel: d.channel, digest: d.digest ?? null } };
  if (d.kind === "linear") return { input: { ...base, moveTo: d.moveTo ?? null } };
  if (d.kind === "github-dispatch") return { input: { ...base, dispatch: dispatchOf(d) } };
  const given = d.secrets ?? (d.secret ? [d.secret] : null);
  const generated = given || kept.length ? undefined : generate();
  const secrets = given ?? (kept.length ? kept : [generated!]);
  return { input: { ...base, url: d.url, secrets }, generated };
}

/** The stored definition as a PUT body extends it: common fields, and the kind's own unless the kind changes. */
function storedDefinition(r: SubscriptionRow, kind: unknown): Record<string, unknown> {
  const base = { name: r.name, kind: r.kind, types: r.types, where: r.where, enabled: r.enabled, ...setOptions(r) };
  if (kind !== undefined && kind !== r.kind) return base;
  if (r.kind === "webhook") return { ...base, url: r.url };
  if (r.kind === "slack") return { ...base, channel: r.channel, ...(r.digest ? { digest: r.digest } : {}) };
  if (r.kind === "github-dispatch") return { ...base, ...r.dispatch };
  return r.moveTo === null ? base : { ...base, moveTo: r.moveTo };
}

/**
 * A PUT body over the stored subscription: the fields given replace the stored ones, `null` removes
 * an optional one. The URL as answered (masked) given back means the stored one, not `***`. A new
 * name is refused.
 */
export function mergePut(
  row: SubscriptionRow,
  body: Record<string, unknown>,
): { ok: true; merged: Record<string, unknown> } | { ok: false; problem: string } {
  if (body.name !== undefined && body.name !== row.name)
    return { ok: false, problem: "name: a subscription cannot be renamed" };
  const given = row.url && body.url === maskUrl(row.url) ? { ...body, url: row.url } : body;
  const merged: Record<string, unknown> = { ...storedDefinition(row, body.kind), ...given };
  // A dispatch names one mode: the one the body gives replaces the stored other.
  if (body.eventType !== undefined) for (const k of ["workflow", "ref"]) if (!(k in body)) delete merged[k];
  if (body.workflow !== undefined || body.ref !== undefined) if (!("eventType" in body)) delete merged.eventType;
  // `null` takes an option away: back to its default.
  for (const k of CLEARABLE) if (merged[k] === null) delete merged[k];
  return { ok: true, merged };
}

/** Optional fields a PUT may give as `null` to remove. */
const CLEARABLE = ["minPriority", "rateLimit", "maxInFlight", "allowUnknownTypes", "digest", "moveTo"] as const;

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
    r.kind === "webhook"
      ? { url: maskUrl(r.url) }
      : r.kind === "slack"
        ? { channel: r.channel, digest: r.digest }
        : r.kind === "github-dispatch"
          ? r.dispatch
          : { moveTo: r.moveTo };
  return {
    name: r.name,
    kind: r.kind,
    ...target,
    types: r.types,
    where: r.where,
    enabled: r.enabled,
    minPriority: r.minPriority,
    rateLimit: r.rateLimit,
    maxInFlight: r.maxInFlight,
    allowUnknownTypes: r.allowUnknownTypes,
    disabledReason: r.disabledReason,
    failingSince: r.failingSince,
    breaker: { failures: r.breakerFailures, openUntil: r.breakerOpenUntil },
    ...(r.kind === "webhook" ? { secretCount: r.secrets.length } : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A message id's page: the answer's `status` link. */
export const deliveryLink = (name: string, id: string): string => `/api/subscriptions/${name}/deliveries/${id}`;
