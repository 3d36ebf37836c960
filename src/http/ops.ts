import Router from "@koa/router";
import { createRouter } from "./router.js";
import type { Registry } from "prom-client";
import { deadline } from "../shared/deadline.js";

/** What this process needs to do its work, by name: PostgreSQL for workers, Redis for everyone. */
export type HealthChecks = Partial<Record<"postgres" | "redis", () => Promise<unknown>>>;

/** /healthz (process up), /readyz (what the role needs answers), /metrics (Prometheus). */
export function opsRoutes(checks: HealthChecks, registry: Registry): Router {
  const router = createRouter();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", async (ctx) => {
    const result: Record<string, string> = {};
    for (const [name, check] of Object.entries(checks)) {
      if (!check) continue;
      result[name] = await deadline(check(), 1000, () => new Error("timeout")).then(
        () => "ok",
        () => "unreachable",
      );
    }
    const ready = Object.values(result).every((v) => v === "ok");
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ready" : "not ready", ...result };
  });
  router.get("/metrics", async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
