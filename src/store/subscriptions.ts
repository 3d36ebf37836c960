import type pg from "pg";
import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import { onConnection, type Sql } from "./sql.js";
import type { Priority } from "../shared/event.js";
import type { DigestPeriod, DispatchTarget, SubscriptionKind, Where } from "../shared/outbound.js";
import type { SubscriptionInput, SubscriptionRow } from "../shared/subscriptions.js";
import { isSealed, keyIdOf, openStored, seal, SealKeyError, type Keyring } from "../shared/seal.js";

/** The `subscriptions` table (contract §9): every statement on it is here. */

// ---- Secrets at rest (docs/security.md) ----
// `url` (it may hold a password or a token) and each of `secrets` are sealed here on write and
// opened here on read: the API and the senders see plain values, the table never holds one.

/** The keyring of each database handle (a Prisma client, a pool). */
const keyrings = new WeakMap<object, Keyring>();

/** Makes `ring` seal and open subscriptions' secrets read and written through these handles. */
export function useKeyring(db: { prisma: PrismaClient; pool?: pg.Pool }, ring: Keyring): void {
  keyrings.set(db.prisma, ring);
  if (db.pool) keyrings.set(db.pool, ring);
}

/** A handle nobody gave keys is a bug: guessing another's keys would seal under the wrong ones. */
function keyringOf(handle: object): Keyring {
  const ring = keyrings.get(handle);
  if (!ring) throw new Error("this database handle has no SECRETS_KEYS keyring: call useKeyring first");
  return ring;
}

/** Where a value is stored, bound into its seal: it opens nowhere else. */
const contextOf = (column: "url" | "secrets", id: string) => `subscriptions.${column}:${id}`;

/** `dispatch` as Prisma writes a nullable JSON column. */
const dispatchColumn = (d: DispatchTarget | null | undefined) => (d === undefined ? undefined : (d ?? Prisma.DbNull));

const sealedFields = (ring: Keyring, id: string, v: { url: string | null; secrets: string[] }) => ({
  url: v.url === null ? null : seal(ring, v.url, contextOf("url", id)),
  secrets: v.secrets.map((s) => seal(ring, s, contextOf("secrets", id))),
});

type WithSecrets = { id: string; url: string | null; secrets: string[] | null };

const openWith = <T extends WithSecrets>(ring: Keyring, r: T): T & { secrets: string[] } => ({
  ...r,
  url: r.url === null ? null : openStored(ring, r.url, contextOf("url", r.id)),
  secrets: (r.secrets ?? []).map((s) => openStored(ring, s, contextOf("secrets", r.id))),
});

/** A subscription's url and secrets as plain text, from what is stored (read through `handle`). */
export const openSecrets = <T extends WithSecrets>(handle: object, r: T): T & { secrets: string[] } =>
  openWith(keyringOf(handle), r);

export class SubscriptionExists extends Error {}

type Stored = Awaited<ReturnType<PrismaClient["subscription"]["findUniqueOrThrow"]>>;

const asRow = (prisma: PrismaClient, r: Stored): SubscriptionRow => ({
  ...openSecrets(prisma, r),
  kind: r.kind as SubscriptionKind,
  where: (r.where ?? {}) as Where,
  minPriority: r.minPriority as Priority | null,
  digest: r.digest as DigestPeriod | null,
  dispatch: r.dispatch as DispatchTarget | null,
});

export const listSubscriptions = async (prisma: PrismaClient): Promise<SubscriptionRow[]> =>
  (await prisma.subscription.findMany({ orderBy: { name: "asc" } })).map((r) => asRow(prisma, r));

export async function findSubscription(prisma: PrismaClient, name: string): Promise<SubscriptionRow | null> {
  const r = await prisma.subscription.findUnique({ where: { name } });
  return r && asRow(prisma, r);
}

/** A new subscription; throws SubscriptionExists if the name is taken. */
export async function createSubscription(
  prisma: PrismaClient,
  id: string,
  input: SubscriptionInput,
): Promise<SubscriptionRow> {
  try {
    const data = {
      id,
      ...input,
      ...sealedFields(keyringOf(prisma), id, input),
      dispatch: dispatchColumn(input.dispatch),
    };
    return asRow(prisma, await prisma.subscription.create({ data }));
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
      throw new SubscriptionExists(input.name);
    throw err;
  }
}

/**
 * Replaces a subscription's definition. `enabled` is written only when the caller set it, so a PUT
 * of other fields never undoes a disable the delivery worker made meanwhile; enabling clears why it
 * was disabled and, if it was, since when it failed: it starts afresh. Null if there is no such
 * subscription.
 */
export async function updateSubscription(
  prisma: PrismaClient,
  name: string,
  input: Omit<SubscriptionInput, "enabled"> & { enabled?: boolean },
  wasEnabled: boolean,
): Promise<SubscriptionRow | null> {
  const afresh = { failingSince: null, breakerFailures: 0, breakerOpenUntil: null };
  const fresh = input.enabled === true ? { disabledReason: null, ...(wasEnabled ? {} : afresh) } : {};
  // The row's id is bound into its seals.
  const current = await prisma.subscription.findUnique({ where: { name }, select: { id: true } });
  if (!current) return null;
  const sealed = sealedFields(keyringOf(prisma), current.id, input);
  const { count } = await prisma.subscription.updateMany({
    where: { id: current.id, name },
    data: { ...input, ...sealed, dispatch: dispatchColumn(input.dispatch), updatedAt: new Date(), ...fresh },
  });
  return count ? findSubscription(prisma, input.name) : null;
}

/** Deletes a subscription with its messages and their attempts (cascade). */
export async function deleteSubscription(prisma: PrismaClient, name: string): Promise<boolean> {
  const { count } = await prisma.subscription.deleteMany({ where: { name } });
  return count > 0;
}

/** A subscription's health as the delivery worker reads it. */
export interface HealthRow {
  id: string;
  name: string;
  enabled: boolean;
  failingSince: Date | null;
  breakerFailures: number;
  breakerOpenUntil: Date | null;
}

export interface HealthUpdate {
  failingSince: Date | null;
  disabledReason?: string;
  breakerFailures: number;
  breakerOpenUntil: Date | null;
}

/**
 * Applies what a batch of attempts says about subscriptions, in the batch's transaction. Most
 * batches change nothing (successes on a healthy subscription): one unlocked read decides that.
 * Otherwise the rows that change are locked in id order (so two workers never deadlock on them),
 * `decide` looks again at what is now stored, and its answers are written. Returns the
 * subscriptions this disabled, with the reason.
 */
export async function applyHealth(
  sql: Sql,
  ids: string[],
  decide: (row: HealthRow) => HealthUpdate | null,
): Promise<Array<{ name: string; reason: string }>> {
  if (!ids.length) return [];
  const read = await sql.query<HealthRow[]>`
    SELECT id, name, enabled, failing_since AS "failingSince", breaker_failures AS "breakerFailures",
      breaker_open_until AS "breakerOpenUntil"
    FROM subscriptions WHERE id = ANY(${ids}::uuid[])`;
  const changing = read.filter((r) => decide(r)).map((r) => r.id);
  if (!changing.length) return [];
  const locked = await sql.query<HealthRow[]>`
    SELECT id, name, enabled, failing_since AS "failingSince", breaker_failures AS "breakerFailures",
      breaker_open_until AS "breakerOpenUntil"
    FROM subscriptions WHERE id = ANY(${changing}::uuid[]) ORDER BY id FOR UPDATE`;
  const updates = locked.flatMap((r) => {
    const u = decide(r);
    return u
      ? [
          {
            id: r.id,
            name: r.name,
            failing_since: u.failingSince,
            disabled_reason: u.disabledReason ?? null,
            breaker_failures: u.breakerFailures,
            breaker_open_until: u.breakerOpenUntil,
          },
        ]
      : [];
  });
  if (!updates.length) return [];
  await sql.execute`
    UPDATE subscriptions s SET
      failing_since = u.failing_since,
      breaker_failures = u.breaker_failures,
      breaker_open_until = u.breaker_open_until,
      enabled = s.enabled AND u.disabled_reason IS NULL,
      disabled_reason = COALESCE(u.disabled_reason, s.disabled_reason),
      updated_at = CASE WHEN u.disabled_reason IS NULL THEN s.updated_at ELSE now() END
    FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
      AS u(id uuid, failing_since timestamptz, disabled_reason text, breaker_failures int,
        breaker_open_until timestamptz)
    WHERE s.id = u.id`;
  return updates.flatMap((u) => (u.disabled_reason ? [{ name: u.name, reason: u.disabled_reason }] : []));
}

/**
 * Claims a half-open breaker's one probe (issue 18): true for the one caller that finds its cooldown
 * over, which holds it open until `until` (the probe's send) so no other attempt goes meanwhile.
 */
export async function claimProbe(pool: pg.Pool, id: string, now: Date, until: Date): Promise<boolean> {
  return onConnection(
    pool,
    async (sql) =>
      (await sql.execute`
        UPDATE subscriptions SET breaker_open_until = ${until}
        WHERE id = ${id}::uuid AND breaker_open_until <= ${now}`) > 0,
  );
}

/** An enabled subscription's filter, as the relay matches messages against it. */
export interface Subscriber {
  id: string;
  types: string[];
  where: Where;
  minPriority: Priority | null;
}

/**
 * The enabled subscriptions' filters: read by the relay on each step (a small table). A digest
 * subscription takes no message per item: outbound/digest sums its periods up.
 */
export async function enabledSubscribers(tx: Sql): Promise<Subscriber[]> {
  return tx.query<Subscriber[]>`
    SELECT id, types, "where", min_priority AS "minPriority" FROM subscriptions
    WHERE enabled AND digest IS NULL ORDER BY id`;
}

/** What sealStoredSecrets found and did. */
export interface SealReport {
  /** Subscriptions holding a url or a secret. */
  checked: number;
  /** Of those, how many were sealed again: plain text, or sealed under a key other than the first. */
  sealed: number;
}

/**
 * Checks that the keyring opens every stored url and secret, and seals under its first key each
 * subscription holding one stored plain (before sealing) or under another key (a rotation): run
 * by `npm run migrate` and at each start. Throws SealKeyError, naming SECRETS_KEYS, the
 * subscription and the key id it lacks (never a value), when a value cannot be opened or a plain
 * one sealed. A row changed meanwhile is left as it now is: whoever changed it sealed it.
 */
export async function sealStoredSecrets(pool: pg.Pool, ring: Keyring): Promise<SealReport> {
  return onConnection(pool, async (sql) => {
    const rows = await sql.query<Array<WithSecrets & { name: string }>>`
      SELECT id, name, url, secrets FROM subscriptions ORDER BY id`;
    const report: SealReport = { checked: 0, sealed: 0 };
    for (const r of rows) {
      const stored = [r.url, ...(r.secrets ?? [])].filter((v): v is string => v !== null);
      if (!stored.length) continue;
      report.checked++;
      let plain: { url: string | null; secrets: string[] };
      try {
        if (!ring.current && stored.some((v) => !isSealed(v)))
          throw new SealKeyError(
            "SECRETS_KEYS is not set, and its url or secrets are stored as plain text: " +
              "set it and run npm run migrate (see docs/security.md)",
          );
        plain = openWith(ring, r);
      } catch (err) {
        if (!(err instanceof SealKeyError)) throw err;
        throw new SealKeyError(`subscription ${r.name}: ${err.message}`, err.keyId);
      }
      if (stored.every((v) => keyIdOf(v) === ring.current?.id)) continue;
      const sealed = sealedFields(ring, r.id, plain);
      report.sealed += await sql.execute`
        UPDATE subscriptions SET url = ${sealed.url}, secrets = ${sealed.secrets}::text[]
        WHERE id = ${r.id}::uuid AND url IS NOT DISTINCT FROM ${r.url}
          AND secrets IS NOT DISTINCT FROM ${r.secrets}::text[]`;
    }
    return report;
  });
}
