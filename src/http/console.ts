import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Middleware } from "koa";
import serve from "koa-static";
import { canonicalPath, inArea } from "./request-path.js";

/** `dist/console` at the project root, from src/http (tsx) and dist/http (built) alike. */
export const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/console");

/** Areas the console never answers, in any spelling: the service's own routes keep their JSON 404s. */
const RESERVED = ["/api", "/webhooks", "/admin", "/healthz", "/readyz", "/metrics"];
const reserved = (p: string) => {
  const canonical = canonicalPath(p);
  return canonical === null || RESERVED.some((area) => inArea(canonical, area));
};

/**
 * The web console (contract §11): the files `vite build` wrote to dist/console, and index.html for any
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
      if (ctx.body !== undefined) return;
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
    ctx.body = await readFile(index);
  };
}
