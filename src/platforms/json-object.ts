import { malformed } from "../shared/errors.js";

/** A verified body as the JSON object the sender documents; 400 for anything else. */
export function jsonObject(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw malformed("body is not JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw malformed("body is not a JSON object");
  return value as Record<string, unknown>;
}
