import { malformed } from "../../shared/errors.js";

/** GitHub sends JSON, or a form with the JSON in `payload` when the hook is set to form encoding. */
export function parseGithubPayload(contentType: string | null, body: string): Record<string, unknown> {
  const json = contentType === "application/x-www-form-urlencoded" ? new URLSearchParams(body).get("payload") : body;
  try {
    const value: unknown = JSON.parse(json ?? "");
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw malformed("body is not a JSON object");
}
