/** Seconds for people: the two largest units (`2h 5m`, `3d 4h`, `45s`); `—` when there is no figure. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 0) return `-${duration(-seconds)}`;
  if (seconds < 1) return seconds === 0 ? "0s" : `${Math.round(seconds * 1000)}ms`;
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n || parts.length) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  // `2h 0m` says the same as `2h`.
  return parts.filter((p, i) => i === 0 || !p.startsWith("0")).join(" ");
}
