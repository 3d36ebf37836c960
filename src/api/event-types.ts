import type Router from "@koa/router";
import type pg from "pg";
import { z } from "zod";
import { createRouter } from "../http/router.js";
import { customEntries, fixedCatalog } from "../outbound/event-types/catalog.js";
import { knownTypes, type KnownTypes } from "../outbound/event-types/check-types.js";
import { CATALOG_KINDS } from "../shared/message-schemas.js";
import { publishedTypes } from "../store/read/events.js";
import { route } from "./openapi.js";
import { sqlText, valid } from "./params.js";
import { EventTypeListSchema } from "./schemas/event-types.js";

const catalogQuery = z.object({
  kind: z.enum(CATALOG_KINDS).optional(),
  platform: sqlText(64).optional().meta({ description: "only this platform's types (`custom` for published ones)" }),
});

/** Every type a subscription can name: the fixed catalog's and the custom types published so far. */
export async function catalogTypes(pool: pg.Pool): Promise<KnownTypes> {
  const published = await publishedTypes(pool, false);
  return knownTypes([...fixedCatalog().map((e) => e.type), ...published.map((p) => p.type)]);
}

/** /api/event-types: the event type catalog (docs/outbound.md "Event type catalog"). */
export function eventTypesApi(pool: pg.Pool): Router {
  const router = createRouter();

  const listDoc = {
    summary: "Every type Switchyard sends, with the JSON Schema of its data and an example",
    description:
      "Unified events by platform (a `*` pattern where a platform names more than can be listed), milestones, " +
      "published custom types and the test message. Subscriptions' `types` must match one (or allowUnknownTypes).",
    query: catalogQuery,
    responses: { 200: { description: "the catalog", schema: EventTypeListSchema } },
  };
  route(router, "get", "/event-types", listDoc, async (ctx) => {
    const q = valid(ctx, catalogQuery, ctx.query);
    if (!q) return;
    const wantsCustom = (!q.kind || q.kind === "custom") && (!q.platform || q.platform === "custom");
    const custom = wantsCustom ? customEntries(await publishedTypes(pool, true)) : [];
    ctx.body = {
      items: [...fixedCatalog(), ...custom].filter(
        (e) => (!q.kind || e.kind === q.kind) && (!q.platform || e.platform === q.platform),
      ),
    };
  });

  return router;
}
