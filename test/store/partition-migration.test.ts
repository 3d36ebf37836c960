import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { storeRawDeliveries } from "../../src/store/deliveries.js";
import { migrate } from "../../src/store/migrate.js";
import { writeMilestones } from "../../src/store/outbox.js";
import { DAY_MS, dayOf, partitionName } from "../../src/store/partition-days.js";
import { applyRetention, createAhead, listPartitions } from "../../src/store/partitions.js";
import { openDatabase, type Database } from "../../src/store/prisma.js";
import { inTransaction, onConnection } from "../../src/store/sql.js";
import { delivery } from "./deliveries-helpers.js";

/**
 * The partitioned history (docs/partitions.md) on a schema of its own: a database filled by the schema
 * before it is migrated without losing a row, then retention drops whole days and nothing of the graph.
 */

const MIGRATION = "20261212000000_partitioned_history";
const TABLES: Record<string, string> = {
  raw_deliveries: "id",
  events: "id",
  github_events: "event_id",
  deployments: "event_id",
  outbox: "id",
  outbound_messages: "id",
  outbound_attempts: "id",
};

const now = new Date();
const today = dayOf(now).getTime();
/** Rows on five days: 9, 5, 3 and 1 days ago, and today. */
const AGES = [9, 5, 3, 1, 0];
const made = new Map<string, string>();
/** The id `i` made `age` days ago (the same on every call). */
const idOn = (age: number, i: number) => {
  const key = `${age}:${i}`;
  if (!made.has(key)) made.set(key, uuidv7({ msecs: today - age * DAY_MS + 3_600_000 + i }));
  return made.get(key)!;
};
const ids = AGES.map((age, i) => idOn(age, i));
/** An id that is not a UUIDv7: it lands in DEFAULT. */
const legacy = randomUUID();

describe("partitioned history: migration and retention", () => {
  const url = new URL(inject("databaseUrl"));
  const schema = `part_${randomBytes(4).toString("hex")}`;
  url.searchParams.set("schema", schema);
  let db: Database;
  let client: pg.Client;
  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const [t, key] of Object.entries(TABLES))
      out[t] = (await client.query(`SELECT to_jsonb(t) AS r FROM ${t} t ORDER BY ${key}`)).rows.map((r) => r.r);
    return out;
  };

  beforeAll(async () => {
    await migrate(url.toString(), { before: MIGRATION });
    client = new pg.Client({ connectionString: inject("databaseUrl").split("?")[0] });
    await client.connect();
    await client.query(`SET search_path TO "${schema}"`);
    const all = [...ids, legacy];
    for (const [i, id] of all.entries()) {
      await client.query(
        `INSERT INTO raw_deliveries (id, platform, delivery_id, received_at, headers, body, type, priority)
         VALUES ($1, 'github', $2, now(), '{"x-github-event":"push"}', '{"n":${i}}', 'github.push', 'normal')`,
        [id, `d-${i}`],
      );
      await client.query(
        `INSERT INTO events (id, platform, type, delivery_id, occurred_at, received_at, keys, priority, payload)
         VALUES ($1, 'github', 'github.push', $2, now(), now(), ARRAY['k${i}'], 'normal', '{"n":${i}}')`,
        [id, `d-${i}`],
      );
      await client.query(`INSERT INTO github_events (event_id, name, repository, sha) VALUES ($1, 'push', 'o/r', $2)`, [
        id,
        `sha${i}`,
      ]);
      await client.query(
        `INSERT INTO deployments (event_id, source, deploy_id, repository, environment, status)
         VALUES ($1, 'github', $2, 'o/r', 'prod', 'succeeded')`,
        [id, `dep${i}`],
      );
      await client.query(
        `INSERT INTO outbox (id, position, kind, type, platform) VALUES ($1, $2, 'event', 'github.push', 'github')`,
        [id, i + 1],
      );
    }
    await client.query(
      `INSERT INTO outbox (id, position, kind, type, fact_key, data) VALUES ($1, 100, 'milestone', 'pr.shipped', 'fact-1', '{}')`,
      [idOn(3, 50)],
    );
    const sub = randomUUID();
    await client.query(`INSERT INTO subscriptions (id, name, kind, url) VALUES ($1, 's', 'webhook', 'http://x')`, [
      sub,
    ]);
    for (const [i, age] of AGES.entries()) {
      await client.query(
        `INSERT INTO outbound_messages (id, subscription_id, outbox_id, type, payload, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'github.push', '{}', $4, $5, $5)`,
        [idOn(age, 100 + i), sub, ids[i], i % 2 ? "succeeded" : "dead", new Date(today - age * DAY_MS)],
      );
      await client.query(
        `INSERT INTO outbound_attempts (message_id, attempt, at, status_code, latency_ms) VALUES ($1, 1, $2, 200, 5)`,
        [idOn(age, 100 + i), new Date(today - age * DAY_MS + 60_000)],
      );
    }
    await client.query(`INSERT INTO entities (key, kind, first_seen_at, last_seen_at) VALUES ('e:1', 'pr', $1, $1)`, [
      new Date(today - 9 * DAY_MS),
    ]);
    await client.query(
      `INSERT INTO links (from_key, to_key, relation, rule, confidence) VALUES ('e:1', 'e:1', 'mentions', 'r', 1)`,
    );
  });

  afterAll(async () => {
    await client?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client?.end();
    await db?.close();
  });

  it("keeps every row as it was, by day partition, and the attempts' numbering goes on", async () => {
    const before = await snapshot();
    expect(await migrate(url.toString())).toEqual([MIGRATION]);
    expect(await snapshot()).toEqual(before);
    db = openDatabase(url.toString(), 2);
    const where = await client.query<{ t: string }>(
      `SELECT c.relname AS t FROM events e JOIN pg_class c ON c.oid = e.tableoid ORDER BY e.id`,
    );
    expect(where.rows.map((r) => r.t)).toEqual(
      expect.arrayContaining([
        ...AGES.map((a) => partitionName("events", new Date(today - a * DAY_MS))),
        "events_default",
      ]),
    );
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO outbound_attempts (message_id, attempt, at, latency_ms) VALUES ($1, 2, now(), 1) RETURNING id`,
      [idOn(0, 104)],
    );
    expect(Number(rows[0]!.id)).toBe(AGES.length + 1);
  });

  it("still stores a (platform, delivery id) once, and tells a fact once", async () => {
    const redelivery = { ...delivery("github", "d-0"), id: uuidv7() };
    const fresh = delivery("github");
    const stored = await onConnection(db.pool, (sql) => storeRawDeliveries(sql, [redelivery, fresh]));
    expect([...stored]).toEqual([fresh.id]);
    const draft = (factKey: string) => ({
      type: "pr.shipped" as const,
      factKey,
      subject: "e:1",
      repository: null,
      environment: null,
      entities: [],
      deploys: [],
      data: () => ({}) as never,
    });
    await inTransaction(db.pool, (tx) => writeMilestones(tx, [draft("fact-1"), draft("fact-2")]));
    await inTransaction(db.pool, (tx) => writeMilestones(tx, [draft("fact-2")]));
    const facts = await client.query(`SELECT fact_key, count(*)::int AS n FROM outbox GROUP BY 1 ORDER BY 1`);
    expect(facts.rows.filter((r) => r.fact_key)).toEqual([
      { fact_key: "fact-1", n: 1 },
      { fact_key: "fact-2", n: 1 },
    ]);
  });

  it("drops whole days older than retention, never DEFAULT nor the graph, and makes days ahead", async () => {
    const dropped = await applyRetention(client, now, { raw: 4, events: 2, outbound: 4 });
    expect(dropped.failed).toEqual([]);
    const left = await listPartitions(client);
    const has = (t: string, age: number) => left.get(t)!.some((d) => d.getTime() === today - age * DAY_MS);
    expect([9, 5, 3, 1, 0].map((a) => has("events", a))).toEqual([false, false, false, true, true]);
    expect([9, 5, 3, 1, 0].map((a) => has("deployments", a))).toEqual([false, false, false, true, true]);
    expect([9, 5, 3, 1, 0].map((a) => has("raw_deliveries", a))).toEqual([false, false, true, true, true]);
    expect([9, 5, 3, 1, 0].map((a) => has("outbound_attempts", a))).toEqual([false, false, true, true, true]);
    const count = async (sql: string) => (await client.query<{ n: number }>(sql)).rows[0]!.n;
    // The legacy id's rows sit in DEFAULT partitions: kept.
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE id = '${legacy}'`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM raw_deliveries`)).toBe(5); // 3, 1, 0 days, legacy, fresh
    expect(await count(`SELECT count(*)::int AS n FROM delivery_keys`)).toBe(5);
    expect(await count(`SELECT count(*)::int AS n FROM outbox_facts`)).toBe(2);
    expect(await count(`SELECT count(*)::int AS n FROM outbound_messages`)).toBe(3); // finished 5 and 9 days ago gone
    expect(await count(`SELECT count(*)::int AS n FROM entities`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM links`)).toBe(1);
    // The delivery keys of dropped days went with them: such a delivery would be stored anew.
    const again = { ...delivery("github", "d-0"), id: uuidv7() };
    expect([...(await onConnection(db.pool, (sql) => storeRawDeliveries(sql, [again])))]).toEqual([again.id]);

    const later = new Date(today + 9 * DAY_MS);
    const made = await createAhead(client, later, 1);
    expect(made.created).toContain(partitionName("events", later));
    expect(made.created).toContain(partitionName("outbound_attempts", new Date(later.getTime() + DAY_MS)));
    // A day whose rows are already in DEFAULT is left there rather than fail.
    const farOff = new Date(today + 30 * DAY_MS);
    await client.query(`INSERT INTO outbox (id, kind, type) VALUES ($1, 'event', 'x')`, [
      uuidv7({ msecs: farOff.getTime() + 5 }),
    ]);
    const skipped = await createAhead(client, farOff, 0);
    expect(skipped.skipped).toEqual([partitionName("outbox", farOff)]);
    expect(skipped.created).toContain(partitionName("events", farOff));
  });
});
