import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrate } from "../../src/store/migrate.js";
import { openDatabase, type Database } from "../../src/store/prisma.js";
import { inTransaction } from "../../src/store/sql.js";
import { fakeRelay } from "../helpers/fake-relay.js";
import { PG_SERVER_MISSING, startReplicatedPostgres, type ReplicatedPostgres } from "../helpers/pg-replica.js";
import { openSse, type SseStream } from "../helpers/sse.js";
import { API_TOKENS, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { storeEventRows } from "../store/seed.js";

/**
 * DATABASE_READ_URL (docs/read-replicas.md) against a real streaming replica this file starts: the
 * query API reads it while it is fresh, the primary while it lags or is away, and a live stream's
 * catch-up from a lagging replica neither skips nor repeats a position.
 * Without the PostgreSQL server binaries the file does not run, and says so loudly; under CI it fails.
 */
if (PG_SERVER_MISSING && !process.env.CI)
  console.warn(`\n*** THE READ REPLICA TESTS DID NOT RUN: ${PG_SERVER_MISSING} ***\n`);

type Svc = Awaited<ReturnType<typeof startTestService>>;
const AUTH = { authorization: `Bearer ${API_TOKENS[0]}` };

let pgs: ReplicatedPostgres | undefined;
let primary: Database;
let prisma: ReturnType<typeof testPrisma>;
let redis: Redis;
/** Falls back past 300 ms of lag. */
let strict: Svc;
/** Reads a paused replica as fresh for a minute: the stream's catch-up meets a replica missing rows. */
let lenient: Svc;
const streams: SseStream[] = [];

beforeAll(async () => {
  if (PG_SERVER_MISSING) {
    if (process.env.CI) throw new Error(PG_SERVER_MISSING);
    return;
  }
  pgs = await startReplicatedPostgres("switchyard");
  await migrate(pgs.primaryUrl);
  primary = openDatabase(pgs.primaryUrl, 2);
  prisma = testPrisma(pgs.primaryUrl);
  redis = new Redis(inject("redisUrl"));
  const env = { ROLE: "web", DATABASE_URL: pgs.primaryUrl, DATABASE_READ_URL: pgs.replicaUrl };
  strict = await startTestService({ ...env, READ_MAX_LAG_MS: "300" });
  lenient = await startTestService({ ...env, READ_MAX_LAG_MS: "60000", STREAM_HEARTBEAT_MS: "60000" });
}, 60_000);

afterAll(async () => {
  streams.forEach((s) => s.close());
  await strict?.service.close();
  await lenient?.service.close();
  await prisma?.$disconnect();
  await primary?.close();
  await redis?.quit();
  await pgs?.remove();
}, 30_000);

/** An event stored on the primary, as the worker stores one. */
async function storeEvent(): Promise<string> {
  const eventId = randomUUID();
  const event = { platform: "deploy", type: "deploy.succeeded", subject: null };
  await inTransaction(primary.pool, (tx) =>
    storeEventRows(tx, [{ eventId, at: new Date(), facts: {} as never, event }]),
  );
  return eventId;
}

const getEvent = (svc: Svc, id: string) => fetch(`${svc.url}/api/events/${id}`, { headers: AUTH });

/** A metric's value (the sum of its series matching `labels`), NaN when absent. */
async function metric(svc: Svc, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const lines = text.split("\n").filter((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return lines.length ? lines.reduce((sum, l) => sum + Number(l.split(" ")[1]), 0) : NaN;
}
const fallbacks = (svc: Svc, reason: string) =>
  metric(svc, "switchyard_read_replica_fallbacks_total", `reason="${reason}"`).then((n) => n || 0);

/** Whether the replica has replayed a row: the replica's own answer, not the service's. */
const onReplica = async (sql: string) => (await pgs!.onReplica<{ n: number }>(sql))[0]!.n > 0;
const replicated = (eventId: string) =>
  onReplica(`SELECT count(*)::int AS n FROM switchyard.events WHERE id = '${eventId}'`);

describe.skipIf(PG_SERVER_MISSING !== null)("read replica (DATABASE_READ_URL)", () => {
  it("serves the query API from the replica while it is fresh", async () => {
    const id = await storeEvent();
    await waitFor(() => replicated(id));
    await waitFor(async () => (await metric(strict, "switchyard_read_replica_lag_seconds")) === 0);
    const before = await fallbacks(strict, "lagging");
    expect((await getEvent(strict, id)).status).toBe(200);
    // The read ran on the replica: its connection there last ran the event's last statement (its raw delivery).
    const ran = await onReplica(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE '%FROM raw_deliveries%'`,
    );
    expect(ran).toBe(true);
    expect(await fallbacks(strict, "lagging")).toBe(before);
  });

  it("reads the primary while the replica lags past READ_MAX_LAG_MS, the replica again once it caught up", async () => {
    await pgs!.onReplica("SELECT pg_wal_replay_pause()");
    try {
      const id = await storeEvent();
      // The lag poll finds the replica behind: the API answers from the primary what the replica lacks.
      await waitFor(async () => (await getEvent(strict, id)).status === 200);
      expect(await replicated(id)).toBe(false);
      expect(await fallbacks(strict, "lagging")).toBeGreaterThan(0);
      expect(await metric(strict, "switchyard_read_replica_lag_seconds")).toBeGreaterThan(0.3);
    } finally {
      await pgs!.onReplica("SELECT pg_wal_replay_resume()");
    }
    await waitFor(async () => (await metric(strict, "switchyard_read_replica_lag_seconds")) === 0);
    const id = await storeEvent();
    await waitFor(() => replicated(id));
    const before = await fallbacks(strict, "lagging");
    expect((await getEvent(strict, id)).status).toBe(200);
    expect(await fallbacks(strict, "lagging")).toBe(before);
  });

  it("catches a live stream up from a lagging replica without a gap or a repeat", async () => {
    const relay = fakeRelay(prisma, redis);
    const first = await relay.commit(Array.from({ length: 3 }, () => ({ type: "deploy.succeeded" })));
    await waitFor(() => onReplica(`SELECT count(*)::int AS n FROM switchyard.outbox WHERE id = '${first.at(-1)!.id}'`));
    await waitFor(async () => (await metric(lenient, "switchyard_read_replica_lag_seconds")) === 0);
    await pgs!.onReplica("SELECT pg_wal_replay_pause()");
    try {
      // Committed while the replica does not replay, never published: only the primary has them.
      const missing = await relay.commit(Array.from({ length: 3 }, () => ({ type: "deploy.succeeded" })));
      // Still fresh by a minute's bound: the catch-up's history is read on the replica.
      await waitFor(async () => (await metric(lenient, "switchyard_read_replica_lag_seconds")) > 0);
      const s = await openSse(`${lenient.url}/api/stream?after=${first[0]!.id}`, AUTH);
      streams.push(s);
      expect(s.status).toBe(200);
      const expected = [...first.slice(1), ...missing].map((i) => i.id);
      await s.take(expected.length);
      const live = await relay.relay(lenient.config.REDIS_PREFIX, [{ type: "deploy.succeeded" }]);
      await s.take(expected.length + 1);
      expect(s.messages.map((m) => m.id)).toEqual([...expected, live[0]!.id]);
      expect(await fallbacks(lenient, "lagging")).toBe(0);
    } finally {
      await pgs!.onReplica("SELECT pg_wal_replay_resume()");
    }
  });

  it("answers from the primary while the replica is down, and stays ready", async () => {
    const id = await storeEvent();
    await waitFor(() => replicated(id));
    await waitFor(async () => (await metric(strict, "switchyard_read_replica_lag_seconds")) === 0);
    const before = await fallbacks(strict, "unavailable");
    await pgs!.stopReplica();
    expect((await getEvent(strict, id)).status).toBe(200);
    expect(await fallbacks(strict, "unavailable")).toBeGreaterThan(before);
    expect((await fetch(`${strict.url}/readyz`)).status).toBe(200);
    const events = await fetch(`${strict.url}/api/events?limit=5`, { headers: AUTH });
    expect(events.status).toBe(200);
  });
});
