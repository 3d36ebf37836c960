import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { Webhook } from "standardwebhooks";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf, keyring, open } from "../../src/shared/seal.js";
import { startReceiver } from "../helpers/receiver.js";
import {
  API_TOKENS,
  SECRETS_KEYS,
  isolatedDatabase,
  startTestService,
  testPrisma,
  useTestService,
  useTestPrisma,
  waitFor,
} from "../helpers/service.js";

const ctx = useTestService({ OUTBOUND_ALLOW_PRIVATE: "true", OUTBOUND_RETRY_SCHEDULE: "50ms,50ms,50ms" });
const prisma = useTestPrisma();
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const call = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: r.status === 204 ? null : ((await r.json()) as any) }));

const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;
const newKey = (id: string) => `${id}:${randomBytes(32).toString("base64")}`;

/** The whole stored row as text, every column. */
async function rowText(db: ReturnType<typeof testPrisma>, name: string): Promise<string> {
  const rows = await db.$queryRaw<Array<{ t: string }>>`SELECT row_to_json(s)::text AS t FROM subscriptions s
    WHERE name = ${name}`;
  expect(rows).toHaveLength(1);
  return rows[0]!.t;
}

const storedOf = async (db: ReturnType<typeof testPrisma>, name: string) =>
  (await db.subscription.findUniqueOrThrow({ where: { name } })) as { id: string; url: string; secrets: string[] };

describe("subscription secrets at rest", () => {
  it("stores neither the signing secret nor the URL's password readable; deliveries still sign with it", async () => {
    const secret = newSecret();
    const password = `pw-${randomBytes(12).toString("hex")}`;
    const token = `tk-${randomBytes(12).toString("hex")}`;
    const name = `sealed-${randomUUID().slice(0, 8)}`;
    const url = `http://hook-user:${password}@127.0.0.1:${receiver.port}/sealed?token=${token}`;
    const created = await call(ctx.url, "POST", "/api/subscriptions", {
      name,
      kind: "webhook",
      url,
      types: ["switchyard.test"],
      secret,
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.json)).not.toContain(password);
    expect(created.json.secretCount).toBe(1);

    const text = await rowText(prisma, name);
    for (const plain of [secret, secret.slice(6), password, token, "hook-user", "127.0.0.1"])
      expect(text).not.toContain(plain);
    const stored = await storedOf(prisma, name);
    expect(stored.url).toMatch(/^sy1\.test\./);
    expect(stored.secrets).toEqual([expect.stringMatching(/^sy1\.test\./)]);
    // Bound to its column and row: the test key opens each only where it is.
    const ring = keyring(SECRETS_KEYS);
    expect(open(ring, stored.url, `subscriptions.url:${stored.id}`)).toBe(url);
    expect(() => open(ring, stored.secrets[0]!, `subscriptions.url:${stored.id}`)).toThrow();

    // The API reads plain values: the answer has the secret count, and a delivery verifies.
    expect((await call(ctx.url, "GET", `/api/subscriptions/${name}`)).json).toMatchObject({ name, secretCount: 1 });
    const sent = await call(ctx.url, "POST", `/api/subscriptions/${name}/test`);
    expect(sent.status).toBe(202);
    const got = await waitFor(async () => receiver.received.find((r) => r.headers["webhook-id"] === sent.json.id));
    expect(got.path).toBe(`/sealed?token=${token}`);
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from(`hook-user:${password}`).toString("base64")}`);
    expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toMatchObject({
      type: "switchyard.test",
    });

    // A PUT that rotates the signing secrets seals the new ones too, and keeps the URL.
    const next = newSecret();
    const put = await call(ctx.url, "PUT", `/api/subscriptions/${name}`, { secrets: [next, secret] });
    expect(put.status).toBe(200);
    expect(put.json.secretCount).toBe(2);
    const after = await rowText(prisma, name);
    for (const plain of [secret, next, password, token]) expect(after).not.toContain(plain);
    const resent = await call(ctx.url, "POST", `/api/subscriptions/${name}/test`);
    const again = await waitFor(async () => receiver.received.find((r) => r.headers["webhook-id"] === resent.json.id));
    expect(new Webhook(next).verify(again.body, again.headers as Record<string, string>)).toBeTruthy();
    expect(new Webhook(secret).verify(again.body, again.headers as Record<string, string>)).toBeTruthy();
    expect(again.headers.authorization).toBe(got.headers.authorization);
  });
});

describe("sealing rows stored before, rotation, and keys that do not open them", () => {
  const execute = promisify(execFile);
  /** `npm run migrate` (its source) with this database and keys. */
  const runMigrate = (databaseUrl: string, keys: string[]) =>
    execute(process.execPath, ["--import", "tsx", "src/bin/migrate.ts"], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, SECRETS_KEYS: keys.join(",") },
    });

  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let raw: ReturnType<typeof testPrisma>;
  beforeAll(async () => {
    db = await isolatedDatabase();
    raw = testPrisma(db.url);
  });
  afterAll(async () => {
    await raw?.$disconnect();
    await db?.drop();
  });

  const secrets = [newSecret(), newSecret()];
  const password = `pw-${randomBytes(12).toString("hex")}`;
  const url = `https://legacy:${password}@hooks.example.com/in`;
  const id = uuidv7();
  const A = newKey("key-a");
  const B = newKey("key-b");

  it("starts with no key and no subscription, and refuses to store a secret without one (503)", async () => {
    const { service, url: base } = await startTestService({ DATABASE_URL: db.url, SECRETS_KEYS: "" });
    try {
      const refused = await call(base, "POST", "/api/subscriptions", {
        name: "no-key",
        kind: "webhook",
        url: "https://hooks.example.com/in",
        types: ["*"],
      });
      expect(refused.status).toBe(503);
      expect(refused.json.error).toMatch(/SECRETS_KEYS is not set/);
      expect(await raw.subscription.count()).toBe(0);
    } finally {
      await service.close();
    }
  });

  it("seals a row stored plain before sealing, in the migrate step (none is readable after)", async () => {
    await raw.$executeRaw`INSERT INTO subscriptions (id, name, kind, url, types, "where", enabled, secrets)
      VALUES (${id}::uuid, 'legacy', 'webhook', ${url}, ARRAY['*'], '{}', true, ${secrets}::text[])`;
    // Plain rows and no key: neither migrate nor a start goes on.
    await expect(runMigrate(db.url, [])).rejects.toMatchObject({
      stderr: expect.stringMatching(/subscription legacy: SECRETS_KEYS is not set/),
    });
    await expect(startTestService({ DATABASE_URL: db.url, SECRETS_KEYS: "" })).rejects.toThrow(
      /SECRETS_KEYS is not set/,
    );

    const { stdout, stderr } = await runMigrate(db.url, [A]);
    expect(stderr).toBe("");
    expect(stdout).toContain("sealed the secrets of 1 of 1 subscription(s)");
    const text = await rowText(raw, "legacy");
    for (const plain of [...secrets, password, "hooks.example.com"]) expect(text).not.toContain(plain);
    const stored = await storedOf(raw, "legacy");
    expect([stored.url, ...stored.secrets].map(keyIdOf)).toEqual(["key-a", "key-a", "key-a"]);
    // Run again: nothing left to seal.
    expect((await runMigrate(db.url, [A])).stdout).not.toContain("sealed");
  });

  it("rotates: a new key first and the old one second re-seals every value with the new one", async () => {
    const before = await storedOf(raw, "legacy");
    await runMigrate(db.url, [B, A]);
    const stored = await storedOf(raw, "legacy");
    expect([stored.url, ...stored.secrets].map(keyIdOf)).toEqual(["key-b", "key-b", "key-b"]);
    expect(stored.url).not.toBe(before.url);
    const ring = keyring([B]);
    expect(open(ring, stored.url, `subscriptions.url:${id}`)).toBe(url);
    expect(stored.secrets.map((s) => open(ring, s, `subscriptions.secrets:${id}`))).toEqual(secrets);
  });

  it("refuses to start when no configured key opens the rows, naming SECRETS_KEYS and the key id", async () => {
    const lacking = await startTestService({ DATABASE_URL: db.url, SECRETS_KEYS: A }).catch((e: Error) => e);
    expect(lacking).toBeInstanceOf(Error);
    expect((lacking as Error).message).toMatch(/^subscription legacy: SECRETS_KEYS has no key with id "key-b"/);
    for (const value of [A, B, password, ...secrets])
      expect((lacking as Error).message).not.toContain(value.slice(-20));
    await expect(startTestService({ DATABASE_URL: db.url, SECRETS_KEYS: "" })).rejects.toThrow(
      /SECRETS_KEYS is not set, but .* is sealed with key id "key-b"/,
    );
    // Another key under the same id does not open them either.
    await expect(startTestService({ DATABASE_URL: db.url, SECRETS_KEYS: newKey("key-b") })).rejects.toThrow(
      /the SECRETS_KEYS key with id "key-b" does not open/,
    );
    await expect(runMigrate(db.url, [A])).rejects.toMatchObject({ stderr: expect.stringContaining('"key-b"') });
  });

  it("with the old key removed, starts, and seals at start a row stored plain meanwhile", async () => {
    const later = newSecret();
    await raw.$executeRaw`INSERT INTO subscriptions (id, name, kind, url, types, "where", enabled, secrets)
      VALUES (${uuidv7()}::uuid, 'later', 'webhook', 'https://hooks.example.com/later', ARRAY['*'], '{}', true,
        ARRAY[${later}])`;
    const { service, url: base } = await startTestService({ DATABASE_URL: db.url, SECRETS_KEYS: B });
    try {
      expect(await rowText(raw, "later")).not.toContain(later);
      expect(keyIdOf((await storedOf(raw, "later")).secrets[0]!)).toBe("key-b");
      const listed = await call(base, "GET", "/api/subscriptions");
      expect(listed.json.items.map((s: any) => [s.name, s.secretCount])).toEqual([
        ["later", 1],
        ["legacy", 2],
      ]);
      expect(JSON.stringify(listed.json)).not.toContain(password);
    } finally {
      await service.close();
    }
  });
});
