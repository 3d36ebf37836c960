/** Headers never kept with the raw delivery: they can carry credentials. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-gitlab-token", "x-api-key"]);

/** The request headers stored with the raw delivery. */
export function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}
