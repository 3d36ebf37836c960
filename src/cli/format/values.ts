/** Small text helpers shared by the renderers: dates, clipping, percentages. */

/** An ISO date as `2026-11-01 12:00:03Z` (UTC, to the second); `—` when absent. */
export function when(value: string | Date | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** One line of at most `max` characters, with `…` where it was cut. */
export function clip(value: string | null | undefined, max = 60): string {
  if (value === null || value === undefined) return "";
  const line = value.split("\n", 1)[0]!.trim();
  const chars = [...line];
  return chars.length > max || value.includes("\n")
    ? `${chars.slice(0, chars.length > max ? max - 1 : max).join("")}…`
    : line;
}

/** A ratio as `33.3 %`; `—` without one. */
export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? "—" : `${(ratio * 100).toFixed(1)} %`;
}

/** The first 12 characters of a SHA, as people quote them. */
export const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : "");
