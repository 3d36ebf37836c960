/**
 * The entity key of `/entities/<url-encoded key>` or `/deploys/<key>`. Read from the path rather
 * than a route parameter: keys hold `/` and `#` (`github:pr:acme/web#7`), which only survive
 * encoded, and the key is decoded exactly once, here.
 */
export function keyFromPath(pathname: string, prefix: string): string {
  const raw = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
