import type Router from "@koa/router";
import type { Queue } from "bullmq";
import { jsonBody } from "../http/json-body.js";
import { createRouter } from "../http/router.js";
import type { StreamHub } from "../outbound/stream/hub.js";
import type { StreamSlots } from "../outbound/stream/slots.js";
import type { RuleBook } from "../pipeline/rule-book.js";
import type { IngestQueue } from "../queue/ingest/queue.js";
import type { OutboundQueue } from "../outbound/delivery/queue.js";
import { countUnprocessable } from "../store/read/deliveries.js";
import type { Database } from "../store/prisma.js";
import type { ReadRouting } from "../store/replica.js";
import { deliveriesApi } from "./deliveries.js";
import { deploysApi } from "./deploys.js";
import { graphApi } from "./entities.js";
import { incidentsApi } from "./incidents.js";
import { importJobAnswer, importsApi } from "./imports.js";
import type { ImportPlatform } from "../import/request.js";
import type { ImportJob } from "../queue/import/queue.js";
import { groupsApi } from "./groups.js";
import { leadTimeApi } from "./lead-time.js";
import { eventsApi } from "./events.js";
import { eventTypesApi } from "./event-types.js";
import { publishApi } from "./publish.js";
import { API_PREFIX, serveOpenApi } from "./openapi.js";
import { queueApi } from "./queue.js";
import { rulesApi } from "./rules.js";
import { streamApi } from "./stream.js";
import { subscriptionsApi } from "./subscriptions.js";
import { tokenApi } from "./token.js";

/** What the /api handlers need from the process. */
export interface ApiDeps {
  db: Database;
  /** DATABASE_READ_URL's replica: the query API's reads go there while it is fresh (store/replica.ts). */
  reads?: ReadRouting;
  rules: RuleBook;
  /** Rule backfills are added here (src/queue/backfill/). */
  backfills: Queue;
  /** History imports are added here (src/queue/import/). */
  imports: Queue<ImportJob>;
  /** `enqueue`: events published through /api/events go the receivers' way. */
  ingest: Pick<IngestQueue, "depth" | "enqueue" | "failed" | "getJob">;
  outbound: Pick<OutboundQueue, "enqueue" | "enqueueNow" | "enqueueAllNow">;
  hub: StreamHub;
  slots: StreamSlots;
  config: {
    /** PRODUCTION_ENVIRONMENTS: the environments DORA counts by default. */
    productionEnvironments: string[];
    /** BUG_LABELS: issues so labelled make the deploys fixing them rework. */
    bugLabels: string[];
    /** INCIDENT_SUSPECT_WINDOW_HOURS, in milliseconds. */
    incidentWindowMs: number;
    /** OUTBOUND_ALLOW_PRIVATE: webhook URLs may name private addresses. */
    allowPrivate: boolean;
    /** Whether a platform's history import is wired and configured (src/import/sources.ts). */
    importAvailable: (platform: ImportPlatform) => boolean;
  };
}

/** The whole /api router (contract §6–§11): the OpenAPI document, then one router per resource. */
export function apiRouter(d: ApiDeps): Router {
  const { prisma, pool } = d.db;
  // The query API (reads of what the pipeline stored) may read a replica; what a client writes and
  // reads back (groups, rules, subscriptions, imports, queue and deliveries) stays on the primary.
  const read = d.reads?.pool ?? pool;
  const api = createRouter(API_PREFIX);
  serveOpenApi(api); // public: app.ts lets its exact spelling through without a token
  api.use(jsonBody("1mb"));
  api.use(tokenApi().routes());
  api.use(eventsApi(read).routes());
  api.use(publishApi(pool, d.ingest).routes());
  api.use(graphApi(read).routes());
  api.use(deploysApi(read, { production: d.config.productionEnvironments, bugLabels: d.config.bugLabels }).routes());
  api.use(
    incidentsApi(read, { windowMs: d.config.incidentWindowMs, production: d.config.productionEnvironments }).routes(),
  );
  api.use(groupsApi(pool).routes());
  api.use(leadTimeApi(read, d.config.productionEnvironments).routes());
  api.use(rulesApi(prisma, d.rules, d.backfills, (id) => importJobAnswer(d.imports, id)).routes());
  api.use(importsApi(d.imports, d.config.importAvailable).routes());
  api.use(queueApi(d.ingest, () => countUnprocessable(pool)).routes());
  api.use(deliveriesApi(d.db, d.rules).routes());
  api.use(subscriptionsApi(d.db, d.outbound, { allowPrivate: d.config.allowPrivate }).routes());
  api.use(eventTypesApi(read).routes());
  api.use(streamApi(d.hub, d.slots).routes());
  return api;
}
