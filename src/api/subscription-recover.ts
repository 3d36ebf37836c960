import type Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import type { OutboundQueue } from "../outbound/delivery/queue.js";
import { reopenSince } from "../store/outbound-messages.js";
import type { Database } from "../store/prisma.js";
import type { SubscriptionRow } from "../shared/subscriptions.js";
import { withinDeadline } from "../http/deadline.js";
import { conflict } from "../http/respond.js";
import { route } from "./openapi.js";
import { isoDate, sqlText, valid } from "./params.js";
import { SubscriptionRecoveredSchema } from "./schemas/subscriptions.js";

/** Messages one call recovers at most (a long outage can leave millions): `more` says to call again. */
const RECOVER_MAX = 10_000;

const recoverQuery = z.object({
  since: isoDate.meta({ description: "recover the messages created at or after this time" }),
});

/**
 * `POST /api/subscriptions/:name/recover?since=` (issue 18): after an outage, every dead or failed
 * message of the subscription created since then is tried again now, as a retry by hand does for
 * one (its attempts count goes on). Messages are chosen by when they were made, as Svix's recovery
 * does: what the receiver missed since the outage began.
 */
export function recoverRoute(
  router: Router,
  db: Database,
  outbound: Pick<OutboundQueue, "enqueueAllNow">,
  subscriptionOf: (ctx: Context) => Promise<SubscriptionRow | undefined>,
): void {
  const doc = {
    summary: "Try again now every dead or failed message created since a time",
    params: z.object({ name: sqlText(200) }),
    query: recoverQuery,
    responses: {
      202: { description: "how many messages were made due now", schema: SubscriptionRecoveredSchema },
      400: "no or a bad `since`",
      404: "no such subscription",
      409: "the subscription is disabled",
    },
  };
  route(router, "post", "/subscriptions/:name/recover", doc, async (ctx) => {
    const q = valid(ctx, recoverQuery, ctx.query);
    if (!q) return;
    const row = await subscriptionOf(ctx);
    if (!row) return;
    if (!row.enabled) return conflict(ctx, `subscription ${row.name} is disabled; enable it first`);
    const reopened = await reopenSince(db.pool, row.id, q.since, RECOVER_MAX);
    // Committed: when Redis does not answer in time, still 202; the sweeper queues them.
    const queued = await withinDeadline(outbound.enqueueAllNow(reopened)).then(
      () => true,
      () => false,
    );
    ctx.status = 202;
    ctx.body = { recovered: reopened.length, queued, more: reopened.length === RECOVER_MAX };
  });
}
