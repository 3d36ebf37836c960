import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Middleware } from "koa";
import serve from "koa-static";

/** `dist/console` at the project root, from src/http (tsx) and dist/http (built) alike. */
export const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/console");

/** Paths the console never answers: the service's own routes keep their JSON 404s. */
const RESERVED = ["/api", "/webhooks", "/admin", "/healthz", "/readyz", "/metrics"];
const reserved = (p: string) => RESERVED.some((r) => p === r || p.startsWith(`${r}/`));

/**
 * Everything the console loads comes from this origin (SPEC §11: it works air-gapped); the policy
 * makes a stray CDN reference fail loudly in development instead of silently in production.
 * Styles may be inline: chart.js and cytoscape size their canvases with style attributes.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

function secure(ctx: Context) {
  ctx.set("Content-Security-Policy", CSP);
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("Referrer-Policy", "no-referrer");
}

/**
 * The web console (SPEC §11): the files `vite build` wrote to dist/console, and index.html for any
 * other page a browser asks for (client-side routes such as /entities/<key>). Mounted after the
 * API, so it only sees what no route answered.
 */
export function consoleMiddleware(dir = CONSOLE_DIR): Middleware {
  const index = path.join(dir, "index.html");
  const files = serve(dir, {
    index: "index.html",
    // Vite names assets by content hash: cache them for good; index.html is revalidated each time.
    setHeaders(res, file) {
      if (file.includes(`${path.sep}assets${path.sep}`)) {
        res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      } else {
        res.setHeader("Cache-Control", "no-cache");
      }
    },
  });

  return async (ctx, next) => {
    if ((ctx.method !== "GET" && ctx.method !== "HEAD") || reserved(ctx.path)) return next();
    // Checked per request: a build made while the service runs is served without a restart.
    const built = existsSync(index);
    if (built) {
      await files(ctx, async () => undefined);
      if (ctx.body !== undefined) {
        if (ctx.response.is("html")) secure(ctx);
        return;
      }
    }
    // Only page loads fall back to the app; a missing script or image stays a 404.
    const page = ctx.get("accept").includes("text/html");
    if (!built && (page || ctx.path === "/")) {
      ctx.status = 503;
      ctx.type = "text/plain";
      ctx.body = "The console is not built: run `npm run build` (or `npx vite build`) and reload.\n";
      return;
    }
    if (!built || !page) return next();
    ctx.type = "html";
    ctx.set("Cache-Control", "no-cache");
    secure(ctx);
    ctx.body = await readFile(index);
  };
}
