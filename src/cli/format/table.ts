import Table from "cli-table3";

export type Cell = string | number | boolean | null | undefined;

/** No rules or borders: columns two spaces apart, like `kubectl get` or `docker ps`. */
const PLAIN = Object.fromEntries(
  [
    "top",
    "top-mid",
    "top-left",
    "top-right",
    "bottom",
    "bottom-mid",
    "bottom-left",
    "bottom-right",
    "left",
    "left-mid",
    "mid",
    "mid-mid",
    "right",
    "right-mid",
    "middle",
  ].map((c) => [c, ""]),
);

const text = (c: Cell) => (c === null || c === undefined ? "" : String(c));

/**
 * Rows under an upper-case header, columns aligned (cli-table3 measures wide characters and ANSI
 * codes); `empty` instead when there are no rows, so an empty answer is not a bare header.
 */
export function table(head: string[], rows: Cell[][], empty = "(none)"): string {
  if (!rows.length) return empty;
  const t = new Table({
    head: head.map((h) => h.toUpperCase()),
    chars: PLAIN,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 2, compact: true },
  });
  t.push(...rows.map((r) => r.map(text)));
  return t
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** Label/value lines with the values aligned: `label   value`. Null values are left out. */
export function fields(pairs: Array<[string, Cell]>): string {
  const shown = pairs.filter(([, v]) => v !== null && v !== undefined);
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${text(v)}`.trimEnd()).join("\n");
}

/** Rows of text in columns two spaces apart, each column padded to its widest cell, left or right. */
export function aligned(rows: string[][], align: Array<"left" | "right"> = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  const pad = (c: string, i: number) => {
    const fill = " ".repeat(widths[i]! - [...c].length);
    return align[i] === "right" ? fill + c : c + fill;
  };
  return rows.map((row) => row.map(pad).join("  ").trimEnd()).join("\n");
}
