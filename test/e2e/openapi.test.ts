import Router from "@koa/router";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { API_TOKENS, useTestService } from "../helpers/service.js";

const ctx = useTestService();

type Json = Record<string, any>;
const METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];

async function fetchDocument(): Promise<Json> {
  const res = await fetch(`${ctx.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as Json;
}

/** Koa's `/api/entities/:key` as OpenAPI's `/api/entities/{key}`. */
const templated = (path: string) => path.replace(/:(\w+)/g, "{$1}");

/** The routes of a koa-router stack (middleware layers have no methods) missing from the document. */
function undocumented(stack: Router["stack"], doc: Json): string[] {
  const missing: string[] = [];
  for (const layer of stack) {
    for (const method of layer.methods.filter((m) => m !== "HEAD")) {
      const path = templated(String(layer.path));
      if (!doc.paths?.[path]?.[method.toLowerCase()]) missing.push(`${method} ${path}`);
    }
  }
  return missing;
}

/**
 * The required structure of an OpenAPI 3.1 document (no validator package is installed): the
 * fields the specification marks REQUIRED, path templates matched by required path parameters,
 * security requirements naming declared schemes, and every local $ref resolving.
 */
function openApi31Problems(doc: Json): string[] {
  const problems: string[] = [];
  if (typeof doc.openapi !== "string" || !/^3\.1\.\d+$/.test(doc.openapi)) problems.push("openapi: not 3.1.x");
  if (typeof doc.info?.title !== "string" || typeof doc.info?.version !== "string")
    problems.push("info: title and version are required strings");
  if (!doc.paths && !doc.components && !doc.webhooks) problems.push("one of paths, components, webhooks is required");
  const schemes = doc.components?.securitySchemes ?? {};
  const checkSecurity = (where: string, security: unknown) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return problems.push(`${where}: security must be an array`);
    for (const req of security as Json[])
      for (const name of Object.keys(req))
        if (!schemes[name]) problems.push(`${where}: unknown security scheme ${name}`);
  };
  checkSecurity("document", doc.security);
  for (const [name, scheme] of Object.entries<Json>(schemes)) {
    if (!["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"].includes(scheme.type))
      problems.push(`securitySchemes.${name}: bad type`);
    if (scheme.type === "http" && typeof scheme.scheme !== "string") problems.push(`securitySchemes.${name}: scheme`);
  }
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (!path.startsWith("/")) problems.push(`${path}: a path must start with /`);
    const templateNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries<Json>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        problems.push(`${where}: not an HTTP method`);
        continue;
      }
      const responses = Object.entries<Json>(op.responses ?? {});
      if (!responses.length) problems.push(`${where}: responses required`);
      for (const [status, r] of responses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: response key ${status}`);
        if (typeof r.description !== "string") problems.push(`${where} ${status}: description required`);
      }
      const params = (op.parameters ?? []) as Json[];
      for (const p of params) {
        if (typeof p.name !== "string" || !["query", "header", "path", "cookie"].includes(p.in))
          problems.push(`${where}: a parameter needs name and in`);
        if (!p.schema && !p.content) problems.push(`${where}: parameter ${p.name} needs schema or content`);
        if (p.in === "path" && (p.required !== true || !templateNames.includes(p.name)))
          problems.push(`${where}: path parameter ${p.name} must be required and in the template`);
      }
      for (const name of templateNames)
        if (!params.some((p) => p.in === "path" && p.name === name))
          problems.push(`${where}: template {${name}} has no path parameter`);
      if (op.requestBody && typeof op.requestBody.content !== "object")
        problems.push(`${where}: requestBody needs content`);
      checkSecurity(where, op.security);
    }
  }
  const text = JSON.stringify(doc);
  for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
    const target = ref!
      .replace(/^#\//, "")
      .split("/")
      .reduce<any>((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
    if (!ref!.startsWith("#/") || target === undefined) problems.push(`$ref ${ref} does not resolve`);
  }
  return problems;
}

/** A value the route's parameter schema takes, or a plausible one: the route must answer, not 404 on routing. */
const sample = (p: Json) => (p.schema?.format === "uuid" ? randomUUID() : "openapi-probe");

function requestFor(path: string, method: string, op: Json) {
  let url = path;
  const query = new URLSearchParams();
  for (const p of (op.parameters ?? []) as Json[]) {
    if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(sample(p)));
    else if (p.in === "query" && p.required) query.set(p.name, sample(p));
  }
  const body = op.requestBody ? "{}" : undefined;
  return {
    url: `${ctx.url}${url}${query.size ? `?${query}` : ""}`,
    init: {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${API_TOKENS[0]}`, ...(body ? { "content-type": "application/json" } : {}) },
      body,
    },
  };
}

describe("GET /api/openapi.json", () => {
  it("is served without a bearer token, while the rest of /api still needs one", async () => {
    await fetchDocument();
    expect((await fetch(`${ctx.url}/api/events`)).status).toBe(401);
  });

  it("is a valid OpenAPI 3.1 document with the bearer scheme", async () => {
    const doc = await fetchDocument();
    expect(openApi31Problems(doc)).toEqual([]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    // The document itself is public; everything else answers 401 without a token.
    expect(doc.paths["/api/openapi.json"].get.security).toEqual([]);
    expect(doc.paths["/api/events"].get.responses["401"]).toBeDefined();
  });

  it("declares the schema of every 2xx JSON answer: a component or an object, never a bare string", async () => {
    const doc = await fetchDocument();
    const loose: string[] = [];
    let declared = 0;
    for (const [path, item] of Object.entries<Json>(doc.paths))
      for (const [method, op] of Object.entries<Json>(item))
        for (const [status, r] of Object.entries<Json>(op.responses ?? {})) {
          if (!status.startsWith("2") || status === "204") continue;
          const where = `${method.toUpperCase()} ${path} ${status}`;
          const media = Object.keys(r.content ?? {});
          if (!media.length) loose.push(`${where}: no content`);
          if (media.includes("text/event-stream")) continue;
          const schema = r.content?.["application/json"]?.schema as Json | undefined;
          const ref = typeof schema?.$ref === "string" ? schema.$ref : undefined;
          const target = ref ? doc.components?.schemas?.[ref.replace("#/components/schemas/", "")] : schema;
          if (!ref && schema?.type !== "object") loose.push(`${where}: neither a component nor an object`);
          else if (target?.type !== "object" && !target?.anyOf && !target?.oneOf)
            loose.push(`${where}: ${ref} is not an object`);
          else declared++;
        }
    expect(loose).toEqual([]);
    expect(declared).toBeGreaterThan(20);
    // The answers' components are in the document, with the shared ones referenced, not copied.
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        "Event",
        "EventPage",
        "EntityGraph",
        "DeployChanges",
        "DoraReport",
        "Rule",
        "Subscription",
      ]),
    );
    expect(doc.components.schemas.EventPage.properties.items.items).toEqual({ $ref: "#/components/schemas/Event" });
  });

  it("refuses to document a 2xx JSON answer without its schema", async () => {
    const { route } = await import("../../src/api/openapi.js");
    const router = new Router();
    expect(() =>
      route(router, "get", "/openapi-probe", { summary: "x", responses: { 200: "JSON" } }, () => {}),
    ).toThrow(/needs its schema/);
  });

  it("the structure check catches a broken document", () => {
    const broken = {
      openapi: "3.0.3",
      info: { title: "x" },
      security: [{ nope: [] }],
      paths: { "/a/{id}": { get: { responses: {} } }, "/b": { post: { responses: { 200: { $ref: "#/x/y" } } } } },
    };
    expect(openApi31Problems(broken)).toEqual([
      "openapi: not 3.1.x",
      "info: title and version are required strings",
      "document: unknown security scheme nope",
      "GET /a/{id}: responses required",
      "GET /a/{id}: template {id} has no path parameter",
      "POST /b 200: description required",
      "$ref #/x/y does not resolve",
    ]);
  });

  it("documents every route the /api router serves", async () => {
    const doc = await fetchDocument();
    const stack = ctx.service.api!.stack;
    expect(stack.filter((l) => l.methods.length).length).toBeGreaterThan(15);
    expect(undocumented(stack, doc)).toEqual([]);
  });

  it("names a route that is served but not documented", async () => {
    const doc = await fetchDocument();
    const router = new Router({ prefix: "/api" });
    router.get("/events", (c) => void (c.body = 1));
    router.post("/not-documented/:id", (c) => void (c.body = 1));
    expect(undocumented(router.stack, doc)).toEqual(["POST /api/not-documented/{id}"]);
  });

  it("serves every documented route", async () => {
    const doc = await fetchDocument();
    const unserved: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        const { url, init } = requestFor(path, method, op);
        const res = await fetch(url, init);
        const type = res.headers.get("content-type") ?? "";
        // Read JSON answers; cut streams (SSE) once their headers are in.
        const body = type.startsWith("application/json")
          ? ((await res.json()) as Json)
          : (await res.body?.cancel(), {});
        const routed = !(res.status === 404 && /^no route/.test(body.error ?? "")) && res.status !== 405;
        if (!routed || !/^(application\/json|text\/event-stream)/.test(type))
          unserved.push(`${method.toUpperCase()} ${path}: ${res.status} ${type} ${body.error ?? ""}`);
      }
    }
    expect(unserved).toEqual([]);
  });

  it("describes the limits the handlers enforce (one schema for both)", async () => {
    const doc = await fetchDocument();
    const checked: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      const params = (item.get?.parameters ?? []) as Json[];
      if (params.some((p) => p.required && p.in === "query")) continue;
      for (const p of params.filter((x) => x.in === "query" && typeof x.schema?.maximum === "number")) {
        const { url, init } = requestFor(path, "get", item.get);
        const over = new URL(url);
        over.searchParams.set(p.name, String(p.schema.maximum + 1));
        const res = await fetch(over, init);
        expect(res.status, `${path}?${p.name}=${p.schema.maximum + 1}`).toBe(400);
        expect(((await res.json()) as Json).error).toContain(p.name);
        over.searchParams.set(p.name, String(p.schema.maximum));
        expect((await fetch(over, init)).status, `${path}?${p.name}=${p.schema.maximum}`).not.toBe(400);
        checked.push(`${path}?${p.name}`);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining(["/api/events?limit", "/api/entities/{key}?depth", "/api/deliveries?limit"]),
    );
  });
});
