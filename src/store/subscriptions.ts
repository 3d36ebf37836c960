import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import type { Sql } from "./sql.js";
import type { SubscriptionKind, Where } from "../shared/outbound.js";

/** The `subscriptions` table (SPEC §9): every statement on it is here. */

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

export class SubscriptionExists extends Error {}

const asRow = (r: Awaited<ReturnType<PrismaClient["subscription"]["findUniqueOrThrow"]>>): SubscriptionRow => ({
  ...r,
  kind: r.kind as SubscriptionKind,
  where: (r.where ?? {}) as Where,
});

export const listSubscriptions = async (prisma: PrismaClient): Promise<SubscriptionRow[]> =>
  (await prisma.subscription.findMany({ orderBy: { name: "asc" } })).map(asRow);

export async function findSubscription(prisma: PrismaClient, name: string): Promise<SubscriptionRow | null> {
  const r = await prisma.subscription.findUnique({ where: { name } });
  return r && asRow(r);
}

/** A new subscription; throws SubscriptionExists if the name is taken. */
export async function createSubscription(
  prisma: PrismaClient,
  id: string,
  input: SubscriptionInput,
): Promise<SubscriptionRow> {
  try {
    return asRow(await prisma.subscription.create({ data: { id, ...input } }));
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
  const fresh = input.enabled === true ? { disabledReason: null, ...(wasEnabled ? {} : { failingSince: null }) } : {};
  const { count } = await prisma.subscription.updateMany({
    where: { name },
    data: { ...input, updatedAt: new Date(), ...fresh },
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
}

export interface HealthUpdate {
  failingSince: Date | null;
  disabledReason?: string;
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
    SELECT id, name, enabled, failing_since AS "failingSince" FROM subscriptions WHERE id = ANY(${ids}::uuid[])`;
  const changing = read.filter((r) => decide(r)).map((r) => r.id);
  if (!changing.length) return [];
  const locked = await sql.query<HealthRow[]>`
    SELECT id, name, enabled, failing_since AS "failingSince" FROM subscriptions
    WHERE id = ANY(${changing}::uuid[]) ORDER BY id FOR UPDATE`;
  const updates = locked.flatMap((r) => {
    const u = decide(r);
    return u
      ? [{ id: r.id, name: r.name, failing_since: u.failingSince, disabled_reason: u.disabledReason ?? null }]
      : [];
  });
  if (!updates.length) return [];
  await sql.execute`
    UPDATE subscriptions s SET
      failing_since = u.failing_since,
      enabled = s.enabled AND u.disabled_reason IS NULL,
      disabled_reason = COALESCE(u.disabled_reason, s.disabled_reason),
      updated_at = CASE WHEN u.disabled_reason IS NULL THEN s.updated_at ELSE now() END
    FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id uuid, failing_since timestamptz, disabled_reason text)
    WHERE s.id = u.id`;
  return updates.flatMap((u) => (u.disabled_reason ? [{ name: u.name, reason: u.disabled_reason }] : []));
}

/** An enabled subscription's filter, as the relay matches messages against it. */
export interface Subscriber {
  id: string;
  types: string[];
  where: Where;
}

/** The enabled subscriptions' filters: read by the relay on each step (a small table). */
export async function enabledSubscribers(tx: Sql): Promise<Subscriber[]> {
  return tx.query<Subscriber[]>`SELECT id, types, "where" FROM subscriptions WHERE enabled ORDER BY id`;
}
