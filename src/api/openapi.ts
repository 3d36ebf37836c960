import { readFileSync } from "node:fs";
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import type Router from "@koa/router";
import type { RouterMiddleware } from "@koa/router";
import { z } from "zod";
import { OpenApiDocumentSchema } from "./schemas/openapi.js";
import { requireScope, type RouteScope } from "../http/auth.js";

/**
 * The OpenAPI 3.1 document of /api (contract §11), generated from the zod schemas the handlers validate
 * with. A route module adds a route with `route(...)`, which serves it and documents it in one
 * call, so the two cannot drift apart; test/e2e/openapi.test.ts checks the router against the document.
 */

export const API_PREFIX = "/api";

export type Method = "get" | "post" | "put" | "delete";

/**
 * What one answer means. A 2xx with a body names its schema (src/api/schemas/): its JSON, or
 * another media type's (`contentType`, SSE); errors are the Error component.
 */
export type ResponseDoc = string | { description: string; schema?: z.ZodType; contentType?: string };

export interface RouteDoc {
  summary: string;
  description?: string;
  /** The schemas the handler validates its input with (its `valid(ctx, schema, …)` calls). */
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status → meaning. 400 (when there is input), 413 and 415 (with a body), 401 and 503 (unless public) are added. */
  responses: Record<number, ResponseDoc>;
  /** Served without a bearer token. */
  public?: boolean;
  /** The token scope it needs (http/auth.ts): by default `read` for GET, `write` for the rest; `any` token. */
  scope?: RouteScope;
}

const errorBody = z
  .object({
    error: z.string(),
    problems: z.array(z.string()).optional().meta({ description: "every problem of the input, `field: message`" }),
  })
  .meta({ id: "Error" });

const operations = new Map<string, RouteConfig>();
/** `GET /api/openapi.json`: the exact method and path of each route served without a token. */
const publicRoutes = new Set<string>();
let cached: ReturnType<OpenApiGeneratorV31["generateDocument"]> | undefined;

/** Koa's `/entities/:key` is OpenAPI's `/api/entities/{key}`. */
const openApiPath = (path: string) => API_PREFIX + path.replace(/:(\w+)/g, "{$1}");

/** A 2xx's content: its schema, required unless the answer has no body (204). */
function content(where: string, status: string, r: Exclude<ResponseDoc, string>) {
  if (r.schema) return { [r.contentType ?? "application/json"]: { schema: r.schema } };
  if (status !== "204") throw new Error(`${where} ${status}: a 2xx answer with a body needs its schema`);
  return undefined;
}

/** `GET /api/rules/{name}/backfill` → `getRulesByNameBackfill`: unique per route, stable across versions. */
const operationIdOf = (method: Method, path: string) =>
  method +
  path
    .slice(API_PREFIX.length)
    .replace(/\.json$/, "Json")
    .split("/")
    .filter(Boolean)
    .map((part) => part.replace(/^\{(\w+)\}$/, "by-$1"))
    .flatMap((part) => part.split("-"))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");

/** The scope a route needs: its own, else `read` to look and `write` to change. */
const scopeOf = (method: Method, doc: RouteDoc): RouteScope => doc.scope ?? (method === "get" ? "read" : "write");

function routeConfig(method: Method, path: string, doc: RouteDoc): RouteConfig {
  const error = (description: string) => ({ description, content: { "application/json": { schema: errorBody } } });
  const responses: RouteConfig["responses"] = {};
  for (const [status, r] of Object.entries(doc.responses)) {
    const given = typeof r === "string" ? { description: r } : r;
    responses[status] = status.startsWith("2")
      ? { description: given.description, content: content(`${method.toUpperCase()} ${path}`, status, given) }
      : error(given.description);
  }
  if ((doc.params || doc.query || doc.body) && !responses[400])
    responses[400] = error("invalid input: every problem listed");
  if (doc.body) {
    // http/json-body.ts, in front of every /api route
    responses[413] ??= error("body too large");
    responses[415] ??= error("Content-Type must be application/json");
  }
  if (!doc.public) {
    responses[401] = error("missing or unknown bearer token (or API_TOKENS is empty)");
    const scope = scopeOf(method, doc);
    if (scope !== "any") responses[403] ??= error(`the token lacks the \`${scope}\` scope (docs/security.md)`);
    responses[429] ??= error("too many failed authentication attempts from this client: retry after `Retry-After`");
    responses[503] ??= error("PostgreSQL or Redis unreachable: retry after `Retry-After` seconds");
  }
  return {
    method,
    path,
    operationId: operationIdOf(method, path),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [path.split("/")[2]!.replace(/\.json$/, "")],
    ...(doc.public ? { security: [] } : {}),
    request: {
      params: doc.params,
      query: doc.query,
      body: doc.body && { required: true, content: { "application/json": { schema: doc.body } } },
    },
    responses,
  };
}

/**
 * Serves `handler` at `method path` (relative to /api) on `router` and documents it. Calling it
 * again for the same route (another service in the same process) replaces the documentation.
 */
export function route(router: Router, method: Method, path: string, doc: RouteDoc, handler: RouterMiddleware): void {
  const documented = openApiPath(path);
  operations.set(`${method.toUpperCase()} ${documented}`, routeConfig(method, documented, doc));
  if (doc.public) publicRoutes.add(`${method.toUpperCase()} ${API_PREFIX}${path}`);
  cached = undefined;
  router[method](path, requireScope(scopeOf(method, doc)), handler);
}

const { version, license } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  license: string;
};

/** The document, built once per set of routes. */
export function openApiDocument() {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "One of the tokens in API_TOKENS (comma-separated; several allow rotation). A scoped token (`read`, " +
      "`write`, `publish`, `admin`) is answered 403 on routes beyond its scopes; an unscoped one may do everything.",
  });
  const byPath = [...operations.values()].sort((a, b) => a.path.localeCompare(b.path));
  for (const op of byPath) registry.registerPath(op);
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Switchyard API",
      version,
      license: { name: license, identifier: license },
      description:
        "Query the events, link graph, deploys and DORA figures Switchyard correlated from GitHub, Slack, Linear, " +
        "deploy, PagerDuty and Sentry webhooks; manage correlation rules and deliveries.",
    },
    // Relative: the service that serves the document answers its paths.
    servers: [{ url: "/", description: "this Switchyard service" }],
    security: [{ bearerAuth: [] }],
  });
  return cached;
}

/**
 * The JSON schema a route declares for an answer: `GET /api/rules/x?y=1`, 200 → RuleSchema. Tests
 * parse real answers with it, so a handler and its schema cannot drift apart. A literal segment
 * wins over a parameter (`/rules/test` over `/rules/{name}`).
 */
export function answerSchemaOf(method: string, url: string, status: number): z.ZodType | undefined {
  const path = url.split("?")[0]!;
  const candidates = [...operations.values()]
    .filter((op) => op.method === method.toLowerCase())
    .filter((op) => new RegExp(`^${op.path.replace(/\{\w+\}/g, "[^/]+")}$`).test(path))
    .sort((a, b) => a.path.split("{").length - b.path.split("{").length);
  const response = candidates[0]?.responses[status] as { content?: Record<string, { schema?: unknown }> } | undefined;
  return response?.content?.["application/json"]?.schema as z.ZodType | undefined;
}

/**
 * Whether a request is for a public route, in its exact spelling (HEAD as GET): only that
 * spelling passes the bearer guard untouched, and routers match case-sensitively.
 */
export function isPublicRoute(method: string, path: string): boolean {
  return publicRoutes.has(`${method === "HEAD" ? "GET" : method} ${path}`);
}

/** `GET /api/openapi.json`: served without a token, since it holds no data and tools fetch it as they start. */
export function serveOpenApi(router: Router): void {
  route(
    router,
    "get",
    "/openapi.json",
    {
      summary: "This document (OpenAPI 3.1)",
      public: true,
      responses: { 200: { description: "the OpenAPI document", schema: OpenApiDocumentSchema } },
    },
    (ctx) => {
      ctx.body = openApiDocument();
    },
  );
}
