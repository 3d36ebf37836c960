import type { LookupAddress, LookupOptions } from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Where a webhook may send (contract §9): one policy, checked when a subscription is created or changed
 * (`checkDestination`, so a refused URL is a 422 at once) and again at connect time on the address
 * actually connected to (`refusedAddress`, `guardedLookup`, used by the sender's agents), so a name
 * whose DNS changes after the check still never reaches an internal service.
 *
 * Refused: every address ipaddr.js does not call `unicast` (loopback, private, link-local,
 * unique-local, carrier-grade NAT, reserved and benchmarking, multicast, broadcast, IPv4-mapped and
 * NAT64 forms, 6to4, Teredo, documentation ranges: request-filtering-agent's defaults), plus
 * EXTRA_DENIED_RANGES. OUTBOUND_ALLOW_PRIVATE=true allows them all except the unspecified (meta)
 * addresses, which are never sent to (request-filtering-agent refuses them too).
 */

/**
 * Denied besides what ipaddr.js does not call unicast: `::/96` (IPv4-compatible `::127.0.0.1`),
 * `0.0.0.0/8`, `198.18.0.0/15`.
 */
export const EXTRA_DENIED_RANGES = ["::/96", "0.0.0.0/8", "198.18.0.0/15"] as const;
const extraDenied = EXTRA_DENIED_RANGES.map((cidr) => ({ cidr, range: ipaddr.parseCIDR(cidr) }));

/** How long creating a subscription waits for its host name to resolve. */
export const RESOLVE_TIMEOUT_MS = 2_000;

/** Names of ipaddr.js ranges as a message says them. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: "an unspecified (meta) address",
  loopback: "a loopback address",
  private: "a private address",
  linkLocal: "a link-local address",
  uniqueLocal: "a unique-local (private) address",
  carrierGradeNat: "a carrier-grade NAT address",
  ipv4Mapped: "an IPv4-mapped address",
  rfc6145: "an IPv4-translated address",
  rfc6052: "a NAT64 address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  reserved: "a reserved address",
};

/** Why an address is not sent to. */
export interface Refusal {
  address: string;
  /** As a message says it: "a loopback address", "an address in ::/96". */
  what: string;
  /** Unspecified (meta): refused even with OUTBOUND_ALLOW_PRIVATE=true. */
  meta: boolean;
}

/** Why an IP address is not sent to, or null when it may be. Not an IP address: null (a name). */
export function refusedAddress(address: string, allowPrivate: boolean): Refusal | null {
  if (net.isIP(address) === 0) return null;
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return { address, what: "an address that cannot be checked", meta: false }; // fail closed
  }
  const range = ip.range();
  if (range === "unspecified") return { address, what: RANGE_NAMES.unspecified!, meta: true };
  if (allowPrivate) return null;
  if (range !== "unicast") return { address, what: RANGE_NAMES[range] ?? `a ${range} address`, meta: false };
  for (const { cidr, range: r } of extraDenied)
    if (ip.kind() === r[0].kind() && ip.match(r)) return { address, what: `an address in ${cidr}`, meta: false };
  return null;
}

/** The IP address a URL's host names, without IPv6 brackets; null for a name. */
export function literalAddress(hostname: string): string | null {
  const host = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return net.isIP(host) ? host : null;
}

/** `localhost` and `*.localhost` (RFC 6761): loopback whatever DNS says. */
export const isLocalhostName = (hostname: string) => /(^|\.)localhost\.?$/i.test(hostname);

/** The connect-time refusal: the sender reads it back for the attempt log (permanent). */
export class DestinationRefused extends Error {
  constructor(
    readonly refusal: Refusal,
    readonly host: string | undefined,
  ) {
    const named = host && host !== refusal.address ? `${host} resolves to ${refusal.address}, which` : refusal.address;
    const why = refusal.meta
      ? "is an unspecified (meta) address"
      : `is a private, loopback or link-local address (${refusal.what}; OUTBOUND_ALLOW_PRIVATE=true allows it)`;
    super(`destination refused: ${named} ${why}`);
  }
}

/** Resolves every address of a name (node:dns/promises `lookup` with `{all: true}`). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export interface CheckOptions {
  allowPrivate: boolean;
  resolve: ResolveAll;
  /** RESOLVE_TIMEOUT_MS unless given. */
  timeoutMs?: number;
}

/**
 * Why a webhook URL is refused at creation, or null. A literal address is checked as it is (WHATWG
 * URL has already normalized `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, `[::ffff:7f00:1]`…);
 * `localhost` is refused; another name is resolved now and refused if any of its addresses is. A
 * name that does not resolve (or not within the timeout) is accepted: the connect-time check
 * still applies to whatever it resolves to later. OUTBOUND_ALLOW_PRIVATE=true resolves nothing.
 */
export async function checkDestination(url: string, o: CheckOptions): Promise<string | null> {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null; // the schema refuses it
  }
  const literal = literalAddress(hostname);
  if (literal !== null) {
    const r = refusedAddress(literal, o.allowPrivate);
    return r && `${r.address} is ${r.what}${creationHint(r)}`;
  }
  if (o.allowPrivate) return null;
  if (isLocalhostName(hostname)) return `${hostname} is a loopback name${creationHint({ meta: false })}`;
  const addresses = await resolveWithin(o.resolve, hostname, o.timeoutMs ?? RESOLVE_TIMEOUT_MS);
  for (const { address } of addresses) {
    const r = refusedAddress(address, o.allowPrivate);
    if (r) return `${hostname} resolves to ${r.address}, ${r.what}${creationHint(r)}`;
  }
  return null;
}

const creationHint = (r: Pick<Refusal, "meta">) =>
  r.meta
    ? ", never sent to (not even with OUTBOUND_ALLOW_PRIVATE=true)"
    : "; only public addresses are sent to unless OUTBOUND_ALLOW_PRIVATE=true";

/** The addresses of a name, or none when it does not resolve in time. */
async function resolveWithin(resolve: ResolveAll, hostname: string, timeoutMs: number): Promise<LookupAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<LookupAddress[]>((done) => {
    timer = setTimeout(() => done([]), timeoutMs);
  });
  try {
    return await Promise.race([resolve(hostname).catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** A `lookup` for sockets that fails with DestinationRefused when any address found is refused. */
export function guardedLookup(lookup: Lookup, allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) =>
    lookup(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const found = Array.isArray(address) ? address : [{ address, family: family ?? 0 }];
      for (const a of found) {
        const refusal = refusedAddress(a.address, allowPrivate);
        if (refusal) return callback(new DestinationRefused(refusal, hostname), address, family);
      }
      callback(null, address, family);
    });
}
