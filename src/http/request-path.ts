/**
 * Which area of the service a request path belongs to, read the way any layer might read it:
 * percent-decoded (until stable), `\` as `/`, repeated slashes as one, `.` and `..` resolved, and
 * in lower case. Guards decide on this form, so that no spelling of `/api/…` (`/API/…`,
 * `/%61pi/…`, `//api/…`, `/x/../api/…`) passes a guard that a router or a proxy would still send
 * to a handler (CWE-178, CWE-22). Routers themselves match the exact, case-sensitive spelling.
 */

/** The canonical form of `rawPath`, or null when it cannot be decoded (a malformed `%` escape). */
export function canonicalPath(rawPath: string): string | null {
  let path = rawPath;
  // Three rounds cover any double encoding a proxy could undo; a path still changing after is refused.
  for (let round = 0; round < 4; round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return null;
    }
    if (decoded === path) break;
    if (round === 3) return null;
    path = decoded;
  }
  const segments: string[] = [];
  for (const segment of path.replace(/\\/g, "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`.toLowerCase();
}

/** Whether the canonical `path` is `area` itself or lies under it (`/api`, `/api/…`; not `/apiary`). */
export const inArea = (path: string, area: string): boolean => path === area || path.startsWith(`${area}/`);
