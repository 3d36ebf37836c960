/** Reading incident senders' payloads (PagerDuty, Sentry): loosely, as signed payloads may hold any shape. */

type Obj = Record<string, unknown>;

/** The value if it is an object, else an empty one. */
export const objectOf = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** The non-empty strings among `parts`, one a line; null if none. */
export function joinText(...parts: unknown[]): string | null {
  const strings = parts.filter((p): p is string => typeof p === "string" && p.trim() !== "");
  return strings.length ? strings.join("\n") : null;
}
