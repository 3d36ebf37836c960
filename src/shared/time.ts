/** The first candidate that is a valid date (ISO string, epoch seconds string/number), else `fallback`. */
export function firstDate(fallback: Date, ...candidates: unknown[]): Date {
  for (const c of candidates) {
    if (c === null || c === undefined || c === "") continue;
    const d = typeof c === "number" || /^\d+(\.\d+)?$/.test(String(c)) ? new Date(Number(c) * 1000) : new Date(String(c));
    if (!Number.isNaN(d.getTime())) return d;
  }
  return fallback;
}
