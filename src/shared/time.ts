/**
 * A date PostgreSQL can hold as JSON's ISO text: years 1–9999. Year 0 (`0000-01-01`) and the
 * six-digit years JavaScript writes near its limits are refused by timestamptz, so such dates are
 * treated as absent rather than failing the delivery forever.
 */
export function storableDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const d =
    value instanceof Date ? value : typeof value === "number" || typeof value === "string" ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime())) return null;
  const year = d.getUTCFullYear();
  return year >= 1 && year <= 9999 ? d : null;
}

/** The first candidate that is a storable date (ISO string, epoch seconds string/number), else `fallback`. */
export function firstDate(fallback: Date, ...candidates: unknown[]): Date {
  for (const c of candidates) {
    if (c === null || c === undefined || c === "") continue;
    const isEpoch = typeof c === "number" || /^\d+(\.\d+)?$/.test(String(c));
    const d = storableDate(isEpoch ? Number(c) * 1000 : String(c));
    if (d) return d;
  }
  return fallback;
}
