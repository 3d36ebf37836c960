/**
 * A URL as Switchyard shows it (API answers, and so the CLI and console that print them): a user
 * name and password in it (`user:pass@`) and the values of query parameters whose names look like
 * secrets are replaced by `***`. The stored URL is unchanged; the sender uses it whole.
 */

export const MASK = "***";

/**
 * Query parameter names (case-insensitive; `-` and `_` ignored, so `api-key`, `API_KEY` and `apikey`
 * are one) whose values are masked: exactly these, or ending in `token`, `secret`, `password`, `key`
 * or `signature` (`x-access-token`, `client_secret`, `sharedKey`).
 */
export const SECRET_PARAMS = [
  "token",
  "accesstoken",
  "key",
  "apikey",
  "secret",
  "signature",
  "sig",
  "password",
  "passwd",
  "pwd",
  "pass",
  "auth",
  "authorization",
  "code",
  "credential",
  "credentials",
  "session",
  "sessionid",
] as const;
const EXACT = new Set<string>(SECRET_PARAMS);
const SUFFIX = /(token|secret|password|key|signature)$/;

/** Whether a query parameter of this name is masked. */
export function isSecretParam(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_]/g, "");
  return EXACT.has(n) || SUFFIX.test(n);
}

/**
 * The URL with its user name, password and secret-looking query values masked; one that does not parse is masked
 * whole.
 */
export function maskUrl(url: string): string;
export function maskUrl(url: string | null): string | null;
export function maskUrl(url: string | null): string | null {
  if (!url) return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return MASK;
  }
  if (u.username) u.username = MASK;
  if (u.password) u.password = MASK;
  if (u.search) u.search = maskPairs(u.search.slice(1));
  if (u.hash) u.hash = maskPairs(u.hash.slice(1));
  return u.toString();
}

/** `a=1&token=x` → `a=1&token=***`: only the values of secret names change, the rest stays as written. */
function maskPairs(text: string): string {
  return text
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // a malformed escape: the name as written
      }
      return isSecretParam(decoded) ? `${name}=${MASK}` : pair;
    })
    .join("&");
}
