import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { KoaAdapter } from "@bull-board/koa";
import type { Queue } from "bullmq";
import type { Middleware } from "koa";
import { isIngestQueue } from "../queue/redis-keys.js";

const ADMIN_QUEUES_PATH = "/admin/queues";

/**
 * Bull Board's HTML asks Google Fonts for its typefaces; the board is an operator's page and loads
 * nothing from elsewhere (privacy, air-gapped sites): the link goes, the CSS falls back to system fonts.
 */
const withoutExternalFonts = (html: string) =>
  html.replace(/<link[^>]+href="https:\/\/fonts\.(googleapis|gstatic)\.com[^"]*"[^>]*>/g, "");

/**
 * A request made by a page of this origin: `Sec-Fetch-Site`, else `Origin`; neither (curl, scripts) is
 * not a browser's.
 */
function sameOrigin(fetchSite: string, origin: string, ours: string): boolean {
  if (fetchSite) return fetchSite === "same-origin" || fetchSite === "none";
  return !origin || origin === ours;
}

/**
 * `/admin/queues`: Bull Board over the given queues (contract §11). Every spelling of `/admin/…` has
 * passed app.ts's Basic guard (an API token as the password) before it gets here; the board
 * answers its exact path only, other paths pass through untouched.
 */
export function adminQueues(queues: Queue[]): Middleware {
  const serverAdapter = new KoaAdapter().setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    // The ingest queue (or its platform queues) is only watched here: until a worker stores them, its jobs are the only copy
    // of deliveries answered 202 (contract §8), which the board's empty, clean and obliterate would drop.
    // Its failed jobs are retried with `POST /api/queue/failed/:id/retry`.
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: isIngestQueue(q.name) })),
    serverAdapter,
    options: { uiConfig: { boardTitle: "Switchyard queues", hideDocsLink: true } },
  });
  const board = serverAdapter.registerPlugin();
  const guard: Middleware = async (ctx, next) => {
    // Browsers send cached Basic credentials with any site's form posts: the board's actions
    // (add, retry, clean) are taken only from its own pages.
    if (
      !["GET", "HEAD"].includes(ctx.method) &&
      !sameOrigin(ctx.get("sec-fetch-site"), ctx.get("origin"), `${ctx.protocol}://${ctx.host}`)
    ) {
      ctx.status = 403;
      ctx.body = { error: "queue actions are accepted from the board's own pages only" };
      return;
    }
    if (!ctx.path.startsWith(`${ADMIN_QUEUES_PATH}/static/`)) ctx.set("Cache-Control", "no-store");
    await next();
    if (typeof ctx.body === "string" && ctx.response.is("html")) ctx.body = withoutExternalFonts(ctx.body);
  };
  return (ctx, next) =>
    ctx.path === ADMIN_QUEUES_PATH || ctx.path.startsWith(`${ADMIN_QUEUES_PATH}/`)
      ? guard(ctx, () => board(ctx, next))
      : next();
}
