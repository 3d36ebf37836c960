import { Unprocessable } from "../shared/errors.js";

/**
 * Whether a failure will recur on every attempt for this delivery, so retrying only delays its
 * verdict: values PostgreSQL refuses (SQLSTATE classes 21 cardinality, 22 data, 23 integrity,
 * 54 program limit such as an index row too large), shapes the code did not expect (TypeError,
 * RangeError) and Unprocessable. Anything else (connections, timeouts, deadlocks) is passing.
 */
export function isPermanent(err: unknown): boolean {
  if (err instanceof Unprocessable || err instanceof TypeError || err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(21|22|23|54)[0-9A-Z]{3}$/.test(code);
}

/** The reason kept with an unprocessable delivery: the error's message, and its SQLSTATE if it has one. */
export function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? `${message} (SQLSTATE ${code})` : message;
}
