import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import {
  checkDestination,
  DestinationRefused,
  guardedLookup,
  isLocalhostName,
  literalAddress,
  refusedAddress,
  type ResolveAll,
} from "../../../src/outbound/senders/destination-policy.js";
import { isSecretParam, maskUrl } from "../../../src/shared/url-mask.js";

const resolving =
  (table: Record<string, string[]>): ResolveAll =>
  async (host) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
const nothing = resolving({});
const check = (url: string, allowPrivate = false, resolve = nothing) =>
  checkDestination(url, { allowPrivate, resolve });

describe("refusedAddress", () => {
  const denied = [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "0.1.2.3",
    "198.18.0.1",
    "198.19.255.255",
    "192.0.2.1",
    "224.0.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "::",
    "::1",
    "::7f00:1", // ::127.0.0.1, IPv4-compatible
    "::a00:1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:0:a00:1",
    "64:ff9b::7f00:1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "2002:7f00:1::",
  ];
  it.each(denied)("refuses %s", (address) => {
    expect(refusedAddress(address, false)).toMatchObject({ address });
  });

  it.each(["93.184.216.34", "8.8.8.8", "1.1.1.1", "198.20.0.1", "2606:4700:4700::1111", "2a00:1450::1"])(
    "allows the public %s",
    (address) => expect(refusedAddress(address, false)).toBeNull(),
  );

  it("says what an address is", () => {
    expect(refusedAddress("127.0.0.1", false)?.what).toBe("a loopback address");
    expect(refusedAddress("::7f00:1", false)?.what).toBe("an address in ::/96");
    expect(refusedAddress("198.18.0.1", false)?.what).toBe("a reserved address");
    expect(refusedAddress("0.0.0.0", false)).toMatchObject({ meta: true });
  });

  it("with OUTBOUND_ALLOW_PRIVATE allows all but the unspecified addresses", () => {
    for (const address of denied.filter((a) => !["0.0.0.0", "0.1.2.3", "::"].includes(a)))
      expect(refusedAddress(address, true), address).toBeNull();
    for (const address of ["0.0.0.0", "0.1.2.3", "::"])
      expect(refusedAddress(address, true), address).toMatchObject({ meta: true });
  });

  it("leaves names alone", () => expect(refusedAddress("example.com", false)).toBeNull());
});

describe("literalAddress and isLocalhostName", () => {
  it("reads a URL's host", () => {
    expect(literalAddress("[::1]")).toBe("::1");
    expect(literalAddress("127.0.0.1")).toBe("127.0.0.1");
    expect(literalAddress("example.com")).toBeNull();
    for (const name of ["localhost", "LOCALHOST", "localhost.", "api.localhost"])
      expect(isLocalhostName(name)).toBe(true);
    for (const name of ["localhost.example.com", "notlocalhost", "example.com"])
      expect(isLocalhostName(name)).toBe(false);
  });
});

describe("checkDestination", () => {
  // Every IP notation WHATWG URL normalizes, and IPv6 forms of private addresses.
  const refused: Array<[string, RegExp]> = [
    ["http://127.0.0.1/", /^127\.0\.0\.1 is a loopback address/],
    ["http://2130706433/", /^127\.0\.0\.1 is a loopback address/],
    ["http://0x7f.1/", /^127\.0\.0\.1 is a loopback/],
    ["http://0177.0.0.1/", /^127\.0\.0\.1 is a loopback/],
    ["http://127.1/", /^127\.0\.0\.1 is a loopback/],
    ["http://%31%32%37.0.0.1/", /^127\.0\.0\.1 is a loopback/],
    ["http://[::1]/", /^::1 is a loopback/],
    ["http://[::ffff:127.0.0.1]/", /^::ffff:7f00:1 is an IPv4-mapped address/],
    ["http://[::ffff:7f00:1]/", /^::ffff:7f00:1 is an IPv4-mapped/],
    ["http://[::127.0.0.1]/", /^::7f00:1 is an address in ::\/96/],
    ["http://[fe80::1]/", /^fe80::1 is a link-local address/],
    ["http://[fc00::1]/", /^fc00::1 is a unique-local/],
    ["https://169.254.169.254/latest/meta-data", /^169\.254\.169\.254 is a link-local/],
    ["http://10.0.0.1:8080/x", /^10\.0\.0\.1 is a private address/],
    ["http://198.18.0.1/", /^198\.18\.0\.1 is a reserved address/],
    ["http://user:pw@192.168.0.1/", /^192\.168\.0\.1 is a private/],
  ];
  it.each(refused)("refuses %s naming OUTBOUND_ALLOW_PRIVATE", async (url, message) => {
    const problem = await check(url);
    expect(problem).toMatch(message);
    expect(problem).toMatch(/only public addresses are sent to unless OUTBOUND_ALLOW_PRIVATE=true$/);
  });

  it.each(["http://0.0.0.0/", "http://0/", "http://[::]/"])(
    "refuses the unspecified %s, whatever the setting",
    async (url) => {
      for (const allowPrivate of [false, true])
        expect(await check(url, allowPrivate)).toMatch(
          /unspecified \(meta\) address, never sent to \(not even with OUTBOUND_ALLOW_PRIVATE=true\)$/,
        );
    },
  );

  it("refuses localhost without asking DNS, and names resolving to a private address", async () => {
    const resolve = resolving({ "db.internal": ["10.0.0.5"], "dual.example": ["93.184.216.34", "fd00::1"] });
    expect(await check("http://localhost:3000/", false, resolve)).toMatch(
      /^localhost is a loopback name; .*OUTBOUND_ALLOW_PRIVATE=true$/,
    );
    expect(await check("http://x.LOCALHOST/", false, resolve)).toMatch(/^x\.localhost is a loopback name/);
    expect(await check("http://db.internal/", false, resolve)).toMatch(
      /^db\.internal resolves to 10\.0\.0\.5, a private address; .*OUTBOUND_ALLOW_PRIVATE=true$/,
    );
    // Any address refused refuses the name (the sender would refuse it too).
    expect(await check("http://dual.example/", false, resolve)).toMatch(/^dual\.example resolves to fd00::1/);
  });

  it("accepts public addresses, public names, and names that do not resolve (in time)", async () => {
    const resolve = resolving({ "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"] });
    expect(await check("http://93.184.216.34/", false, resolve)).toBeNull();
    expect(await check("https://[2606:4700:4700::1111]/h", false, resolve)).toBeNull();
    expect(await check("https://hooks.example.com/h", false, resolve)).toBeNull();
    expect(await check("https://nowhere.invalid/h", false, resolve)).toBeNull();
    const never: ResolveAll = () => new Promise(() => undefined);
    const started = Date.now();
    expect(
      await checkDestination("https://slow.example/", { allowPrivate: false, resolve: never, timeoutMs: 50 }),
    ).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("with OUTBOUND_ALLOW_PRIVATE accepts private addresses and does not resolve names", async () => {
    const resolve: ResolveAll = () => Promise.reject(new Error("must not resolve"));
    for (const url of ["http://127.0.0.1:9/", "http://[::1]/", "http://localhost/", "http://db.internal/"])
      expect(await check(url, true, resolve), url).toBeNull();
  });
});

describe("guardedLookup (connect time)", () => {
  type Cb = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
  const fake = (addresses: LookupAddress[]) => (_host: string, options: { all?: boolean }, cb: Cb) =>
    options.all ? cb(null, addresses) : cb(null, addresses[0]!.address, addresses[0]!.family);
  const run = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      lookup("hooks.example", { all }, (err, address) => resolve({ err, address })),
    );

  it("fails with DestinationRefused when any address is refused, in both lookup forms", async () => {
    const lookup = guardedLookup(
      fake([
        { address: "93.184.216.34", family: 4 },
        { address: "::7f00:1", family: 6 },
      ]),
      false,
    );
    const all = await run(lookup, true);
    expect(all.err).toBeInstanceOf(DestinationRefused);
    expect(all.err?.message).toBe(
      "destination refused: hooks.example resolves to ::7f00:1, which is a private, loopback or link-local address" +
        " (an address in ::/96; OUTBOUND_ALLOW_PRIVATE=true allows it)",
    );
    const one = await run(guardedLookup(fake([{ address: "10.0.0.1", family: 4 }]), false), false);
    expect(one.err).toBeInstanceOf(DestinationRefused);
  });

  it("passes public addresses, and private ones with OUTBOUND_ALLOW_PRIVATE", async () => {
    expect((await run(guardedLookup(fake([{ address: "93.184.216.34", family: 4 }]), false), true)).err).toBeNull();
    const allowed = await run(guardedLookup(fake([{ address: "127.0.0.1", family: 4 }]), true), false);
    expect(allowed).toEqual({ err: null, address: "127.0.0.1" });
    const meta = await run(guardedLookup(fake([{ address: "0.0.0.0", family: 4 }]), true), true);
    expect(meta.err?.message).toBe(
      "destination refused: hooks.example resolves to 0.0.0.0, which is an unspecified (meta) address",
    );
  });
});

describe("maskUrl", () => {
  it("masks the user name, the password and secret-looking query parameters", () => {
    expect(maskUrl("https://alice:s3cret@hooks.example.com/h")).toBe("https://***:***@hooks.example.com/h");
    expect(maskUrl("https://alice@hooks.example.com/h")).toBe("https://***@hooks.example.com/h");
    expect(
      maskUrl(
        "https://h.example/p?a=b+c&token=abc&Access_Token=x&X-Api-Key=1&q=%20&code=9&sig=2&sig&page=2#access_token=zz",
      ),
    ).toBe(
      "https://h.example/p?a=b+c&token=***&Access_Token=***&X-Api-Key=***&q=%20&code=***&sig=***&sig&page=2" +
        "#access_token=***",
    );
    expect(maskUrl("https://h.example/?%74oken=1")).toBe("https://h.example/?%74oken=***");
  });

  it("leaves other URLs as they are, and masks one that does not parse whole", () => {
    expect(maskUrl("https://hooks.example.com/h?event=deploy")).toBe("https://hooks.example.com/h?event=deploy");
    expect(maskUrl(null)).toBeNull();
    expect(maskUrl("not a url")).toBe("***");
  });

  it("knows secret-looking names", () => {
    for (const n of [
      "token",
      "TOKEN",
      "access_token",
      "key",
      "api_key",
      "apikey",
      "api-key",
      "secret",
      "client_secret",
      "signature",
      "sig",
      "password",
      "auth",
      "code",
      "x-auth-token",
    ])
      expect(isSecretParam(n), n).toBe(true);
    for (const n of ["page", "event", "id", "name", "type", "keys"]) expect(isSecretParam(n), n).toBe(false);
  });
});
