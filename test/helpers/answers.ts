import { expect } from "vitest";
import type { z } from "zod";
import { answerSchemaOf } from "../../src/api/openapi.js";

/**
 * A real answer's JSON checked against the response schema its route declares (src/api/schemas/):
 * the schemas are strict, so a field the handler adds, drops or changes the type of fails here.
 * Returns the answer decoded (times as Dates).
 */
export function expectAnswer<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) expect.fail(`answer does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * A 2xx JSON answer checked against the schema its route declares (api/openapi.ts), if any: what
 * the tests' request helpers call on every answer.
 */
export function checkAnswer(method: string, url: string, status: number, body: unknown): void {
  if (status < 200 || status > 299 || body === undefined) return;
  const schema = answerSchemaOf(method, new URL(url, "http://x").pathname, status);
  if (!schema) expect.fail(`${method} ${url} ${status}: no answer schema declared`);
  expectAnswer(schema, body);
}
