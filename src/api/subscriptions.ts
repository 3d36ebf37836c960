import { lookup } from "node:dns/promises";
import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import type { Context } from "koa";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { encodeCursor, pageOf } from "../store/read/cursor.js";
import type { OutboundQueue } from "../outbound/delivery/queue.js";
import { findMessage, insertMessages, listMessages, reopenMessage } from "../store/outbound-messages.js";
import type { Database } from "../store/prisma.js";
import {
  createSubscription,
  deleteSubscription,
  findSubscription,
  listSubscriptions,
  SubscriptionExists,
  updateSubscription,
} from "../store/subscriptions.js";
import {
  deliveryLink,
  describeSubscription as describe,
  inputOf,
  mergePut,
  putUpdate,
  type SubscriptionRow,
} from "../shared/subscriptions.js";
import { checkDestination } from "../outbound/senders/destination-policy.js";
import { withinDeadline } from "../http/deadline.js";
import { route } from "./openapi.js";
import {
  MESSAGE_STATUSES,
  MessageRetriedSchema,
  OutboundDeliveryDetailSchema,
  OutboundDeliveryPageSchema,
  SavedSubscriptionSchema,
  SubscriptionListSchema,
  SubscriptionSchema,
  TestMessageSchema,
} from "./schemas/subscriptions.js";
import { badRequest, notFound, conflict } from "../http/respond.js";
import { eventCursor, limit, sqlText, uuid, valid } from "./params.js";
import { definition, type Definition } from "./schemas/subscription-definition.js";
import { knownTypes, typeProblems } from "../outbound/event-types/check-types.js";
import { catalogTypes } from "./event-types.js";
import { ENVELOPE_VERSION, type SubscriptionKind } from "../shared/outbound.js";
import { recoverRoute } from "./subscription-recover.js";
import { allows, type Scope } from "../http/auth.js";

/** PUT: the fields given replace the stored ones (a whole subscription, or only `{"enabled": true}`). */
const putBody = z.record(z.string(), z.unknown()).meta({
  description: "fields of a subscription as for POST; those given replace the stored ones",
});

const nameParams = z.object({ name: sqlText(200) });
const messageParams = z.object({ name: sqlText(200), id: uuid });
const deliveriesQuery = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  limit: limit(500, 50),
  cursor: eventCursor.optional().meta({ description: "`next` of the previous page" }),
  attemptLog: z.enum(["true", "false"]).default("false").meta({ description: "include every attempt of each message" }),
});

export interface SubscriptionsApiOptions {
  /** OUTBOUND_ALLOW_PRIVATE: webhook URLs may name private, loopback and link-local addresses. */
  allowPrivate: boolean;
}

/** /api/subscriptions (contract §9): definitions, a test message, deliveries and their retry. */
export function subscriptionsApi(
  db: Database,
  outbound: Pick<OutboundQueue, "enqueue" | "enqueueNow" | "enqueueAllNow">,
  options: SubscriptionsApiOptions,
): Router {
  const { prisma } = db;
  const router = createRouter();

  /**
   * A webhook URL's destination, checked as the sender will (destination-policy.ts): true, or false
   * once a 422 naming OUTBOUND_ALLOW_PRIVATE is answered. A name is resolved now (bounded).
   */
  async function destinationAllowed(ctx: Context, d: Definition): Promise<boolean> {
    if (d.kind !== "webhook") return true;
    const problem = await checkDestination(d.url, {
      allowPrivate: options.allowPrivate,
      resolve: (host) => lookup(host, { all: true }),
    });
    if (problem) badRequest(ctx, [`url: ${problem}`], 422);
    return !problem;
  }

  /**
   * The definition's type globs against the event type catalog (check-types.ts): true, or false once a
   * 422 naming each bad glob is answered. Globs already stored are not checked again (`stored`).
   */
  async function typesAllowed(ctx: Context, d: Definition, stored: readonly string[] = []): Promise<boolean> {
    const check = (glob: string) => !stored.includes(glob);
    if (!d.types.some(check)) return true;
    const allowUnknown = d.allowUnknownTypes ?? false;
    const known = allowUnknown ? knownTypes([]) : await catalogTypes(db.pool);
    const problems = typeProblems(d.types, known, { allowUnknown, check });
    if (problems.length) badRequest(ctx, problems, 422);
    return !problems.length;
  }

  /**
   * A github-dispatch subscription starts workflows with the service's own GitHub token (as an import
   * spends its credentials): making, changing or testing one needs `admin`, not only `write`. False
   * once a 403 is answered.
   */
  function kindAllowed(ctx: Context, ...kinds: SubscriptionKind[]): boolean {
    if (!kinds.includes("github-dispatch") || allows(ctx.state.scopes as Scope[] | undefined, "admin")) return true;
    ctx.status = 403;
    ctx.body = { error: "github-dispatch subscriptions start workflows with the service's GitHub token: admin scope" };
    return false;
  }

  /** The path's subscription, or undefined once a 400 or 404 is answered. */
  async function subscriptionOf(ctx: Context): Promise<SubscriptionRow | undefined> {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return undefined;
    const row = await findSubscription(prisma, p.name);
    if (!row) notFound(ctx, "subscription");
    return row ?? undefined;
  }

  const listDoc = {
    summary: "Subscriptions, by name (never their secrets)",
    responses: { 200: { description: "every subscription", schema: SubscriptionListSchema } },
  };
  route(router, "get", "/subscriptions", listDoc, async (ctx) => {
    ctx.body = { items: (await listSubscriptions(prisma)).map(describe) };
  });

  const createDoc = {
    summary: "Create a subscription (contract §9)",
    description: "For a webhook, the answer holds `secret` once: the generated signing secret, unless one was given.",
    body: definition,
    responses: {
      201: { description: "the subscription, with `secret` when generated", schema: SavedSubscriptionSchema },
      409: "a subscription of that name exists",
      422:
        "the webhook URL names (or resolves to) a private, loopback or link-local address; or a type glob holds " +
        "characters no type can have, or matches no known type (GET /api/event-types) without allowUnknownTypes",
    },
  };
  route(router, "post", "/subscriptions", createDoc, async (ctx) => {
    const d = valid(ctx, definition, ctx.request.body);
    if (!d || !kindAllowed(ctx, d.kind) || !(await typesAllowed(ctx, d)) || !(await destinationAllowed(ctx, d))) return;
    const { input, generated } = inputOf(d, []);
    let row: SubscriptionRow;
    try {
      row = await createSubscription(prisma, uuidv7(), input);
    } catch (err) {
      if (err instanceof SubscriptionExists)
        return conflict(ctx, `subscription ${d.name} exists; PUT /api/subscriptions/${d.name} to change it`);
      throw err;
    }
    ctx.status = 201;
    ctx.body = { ...describe(row), ...(generated ? { secret: generated } : {}) };
  });

  const getDoc = {
    summary: "One subscription (never its secrets)",
    params: nameParams,
    responses: { 200: { description: "the subscription", schema: SubscriptionSchema }, 404: "no such subscription" },
  };
  route(router, "get", "/subscriptions/:name", getDoc, async (ctx) => {
    const row = await subscriptionOf(ctx);
    if (row) ctx.body = describe(row);
  });

  const putDoc = {
    summary: "Change a subscription: the fields given replace the stored ones",
    description:
      "`secret`/`secrets` replace the signing secrets (give the new and the old one during a rotation); " +
      "without them the secrets are kept. An optional field given as `null` (minPriority, rateLimit, maxInFlight, " +
      "allowUnknownTypes, digest, moveTo) is removed. Enabling a disabled subscription clears `disabledReason` and " +
      "`failingSince`.",
    params: nameParams,
    body: putBody,
    responses: {
      200: {
        description: "the subscription (with `secret` when one had to be generated)",
        schema: SavedSubscriptionSchema,
      },
      404: "no such subscription",
      422:
        "a new webhook URL names (or resolves to) a private, loopback or link-local address; or a new type glob " +
        "holds characters no type can have, or matches no known type without allowUnknownTypes",
    },
  };
  route(router, "put", "/subscriptions/:name", putDoc, async (ctx) => {
    const body = valid(ctx, putBody, ctx.request.body ?? {});
    if (!body) return;
    const row = await subscriptionOf(ctx);
    if (!row) return;
    const put = mergePut(row, body);
    if (!put.ok) return badRequest(ctx, [put.problem]);
    const d = valid(ctx, definition, put.merged);
    if (!d || !kindAllowed(ctx, d.kind, row.kind) || !(await typesAllowed(ctx, d, row.types))) return;
    // Only a new URL is checked: a stored one (accepted under other settings) can still be disabled.
    if (d.kind === "webhook" && d.url !== row.url && !(await destinationAllowed(ctx, d))) return;
    const { update, generated } = putUpdate(row, d, body.enabled);
    const updated = await updateSubscription(prisma, row.name, update, row.enabled);
    if (!updated) return notFound(ctx, "subscription");
    ctx.body = { ...describe(updated), ...(generated ? { secret: generated } : {}) };
  });

  const deleteDoc = {
    summary: "Delete a subscription with its messages",
    params: nameParams,
    responses: { 204: "deleted", 404: "no such subscription" },
  };
  route(router, "delete", "/subscriptions/:name", deleteDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    if (!(await deleteSubscription(prisma, p.name))) return notFound(ctx, "subscription");
    ctx.status = 204;
  });

  const testDoc = {
    summary: "Send a `switchyard.test` message",
    params: nameParams,
    responses: {
      202: { description: "the test message, queued", schema: TestMessageSchema },
      404: "no such subscription",
      409: "the subscription is disabled",
    },
  };
  route(router, "post", "/subscriptions/:name/test", testDoc, async (ctx) => {
    const row = await subscriptionOf(ctx);
    if (!row || !kindAllowed(ctx, row.kind)) return;
    if (!row.enabled) return conflict(ctx, `subscription ${row.name} is disabled; enable it first`);
    const id = uuidv7();
    const type = "switchyard.test";
    const data = { subscription: row.name, message: "A test message from Switchyard" };
    // Caused by no event or milestone, of no entity chain (docs/outbound.md, "Message envelope").
    const envelope = { version: ENVELOPE_VERSION, correlationId: null, causationId: null };
    const payload = { type, timestamp: new Date().toISOString(), data, ...envelope };
    const message = { id, subscriptionId: row.id, type, payload };
    if (!(await insertMessages(prisma, [message]))) return notFound(ctx, "subscription");
    ctx.status = 202;
    ctx.body = { id, status: deliveryLink(row.name, id), queued: await queued(outbound.enqueue([{ id, attempt: 1 }])) };
  });

  const deliveriesDoc = {
    summary: "A subscription's messages, newest first",
    params: nameParams,
    query: deliveriesQuery,
    responses: {
      200: { description: "a page of messages", schema: OutboundDeliveryPageSchema },
      404: "no such subscription",
    },
  };
  route(router, "get", "/subscriptions/:name/deliveries", deliveriesDoc, async (ctx) => {
    const q = valid(ctx, deliveriesQuery, ctx.query);
    if (!q) return;
    const row = await subscriptionOf(ctx);
    if (!row) return;
    const before = q.cursor ? { createdAt: q.cursor.occurredAt, id: q.cursor.id } : undefined;
    const rows = await listMessages(prisma, row.id, {
      status: q.status,
      before,
      limit: q.limit + 1,
      withAttempts: q.attemptLog === "true",
    });
    ctx.body = pageOf(rows, q.limit, (last) => encodeCursor({ occurredAt: last.createdAt, id: last.id }));
  });

  const deliveryDoc = {
    summary: "One message with its payload and every attempt",
    params: messageParams,
    responses: {
      200: { description: "the message", schema: OutboundDeliveryDetailSchema },
      404: "no such subscription or delivery",
    },
  };
  route(router, "get", "/subscriptions/:name/deliveries/:id", deliveryDoc, async (ctx) => {
    const p = valid(ctx, messageParams, ctx.params);
    if (!p) return;
    const row = await subscriptionOf(ctx);
    if (!row) return;
    const message = await findMessage(prisma, row.id, p.id);
    if (!message) return notFound(ctx, "delivery");
    ctx.body = message;
  });

  const retryDoc = {
    summary: "Try a dead or failed message again now; its attempts count goes on",
    params: messageParams,
    responses: {
      202: { description: "the message, due now", schema: MessageRetriedSchema },
      404: "no such subscription or delivery",
      409: "the message is pending or succeeded, or the subscription is disabled",
    },
  };
  route(router, "post", "/subscriptions/:name/deliveries/:id/retry", retryDoc, async (ctx) => {
    const p = valid(ctx, messageParams, ctx.params);
    if (!p) return;
    const row = await subscriptionOf(ctx);
    if (!row) return;
    if (!row.enabled) return conflict(ctx, `subscription ${row.name} is disabled; enable it first`);
    const reopened = await reopenMessage(prisma, row.id, p.id);
    if (!reopened) return notFound(ctx, "delivery");
    if ("status" in reopened)
      return conflict(ctx, `only dead or failed messages are retried; this one is ${reopened.status}`);
    ctx.status = 202;
    ctx.body = {
      id: p.id,
      attempt: reopened.attempt,
      status: "pending",
      queued: await queued(outbound.enqueueNow({ id: p.id, attempt: reopened.attempt })),
    };
  });

  recoverRoute(router, db, outbound, subscriptionOf);
  return router;
}

/**
 * Queues an attempt already committed: when Redis does not answer in time, the answer is still 202
 * (a 503 would make the client repeat what is done) and the sweeper queues it within about a minute.
 */
const queued = (enqueue: Promise<unknown>): Promise<boolean> =>
  withinDeadline(enqueue).then(
    () => true,
    () => false,
  );
