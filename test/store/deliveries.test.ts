import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { v7 as uuidv7 } from "uuid";
import type { Delivery, Platform } from "../../src/shared/event.js";
import { listDeliveries, markUnprocessable, storeEvents, storeRawDeliveries } from "../../src/store/deliveries.js";
import { type Database, openDatabase } from "../../src/store/prisma.js";
import { inTransaction, type Sql } from "../../src/store/sql.js";
import { isolatedDatabase } from "../helpers/service.js";
import { rolledBack } from "./seed.js";

/** The raw-first store (contract §8): which deliveries a job processes, and their derived status. */

const delivery = (platform: Platform = "deploy", deliveryId = `msg-${uuidv7()}`): Delivery => ({
  id: uuidv7(),
  platform,
  deliveryId,
  receivedAt: new Date().toISOString(),
  contentType: "application/json",
  headers: { "content-type": "application/json" },
  body: '{"hello":"world"}',
  type: "deploy.succeeded",
  priority: "normal",
});

/** Stores the delivery's event (no platform rows): the delivery becomes `stored`. */
const storeEvent = (t: Sql, d: Delivery, replace = false) =>
  storeEvents(
    t,
    [
      {
        delivery: d,
        event: {
          type: d.type,
          occurredAt: new Date(d.receivedAt),
          actor: null,
          subject: null,
          keys: [],
          payload: {},
          rows: {},
        },
      },
    ],
    replace,
  );

const sorted = (s: Set<string>) => [...s].sort();

describe("storeRawDeliveries", () => {
  const db = openDatabase(inject("databaseUrl"), 2);
  afterAll(() => db.close());
  const tx = <T>(fn: (tx: Sql) => Promise<T>) => rolledBack(db.pool, fn);

  it("returns the ids it inserted, and nothing for an empty batch", async () => {
    const batch = [delivery(), delivery("github"), delivery("slack")];
    const got = await tx(async (t) => ({
      ids: await storeRawDeliveries(t, batch),
      none: await storeRawDeliveries(t, []),
    }));
    expect(sorted(got.ids)).toEqual(batch.map((d) => d.id).sort());
    expect(got.none.size).toBe(0);
  });

  it("returns a delivery again while it is pending, not once its event is stored or it is unprocessable", async () => {
    const [pending, stored, failed] = [delivery(), delivery(), delivery()] as [Delivery, Delivery, Delivery];
    const batch = [pending, stored, failed];
    const got = await tx(async (t) => {
      await storeRawDeliveries(t, batch);
      const again = await storeRawDeliveries(t, batch); // a job run again after a crash
      await storeEvent(t, stored);
      await markUnprocessable(t, failed.id, "bad date");
      return { again, later: await storeRawDeliveries(t, batch) };
    });
    expect(sorted(got.again)).toEqual(batch.map((d) => d.id).sort());
    expect(sorted(got.later)).toEqual([pending.id]);
  });

  it("returns neither a redelivery (same platform and delivery id, new id) nor the original", async () => {
    const gh1 = `gh-${uuidv7()}`;
    const original = delivery("github", gh1);
    const redelivery = { ...delivery("github", gh1) };
    const otherPlatform = delivery("linear", gh1); // the same id on another platform is another delivery
    const got = await tx(async (t) => {
      await storeRawDeliveries(t, [original]);
      await storeEvent(t, original);
      const later = await storeRawDeliveries(t, [redelivery, otherPlatform]);
      const [row] = await t.query<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM raw_deliveries WHERE platform = 'github' AND delivery_id = ${gh1}`;
      return { later, rows: row!.n };
    });
    expect(sorted(got.later)).toEqual([otherPlatform.id]);
    expect(got.rows).toBe(1);
  });

  it("stores one of two copies of a delivery in the same batch, and returns only that one", async () => {
    const ev1 = `ev-${uuidv7()}`;
    const a = delivery("slack", ev1);
    const b = delivery("slack", ev1);
    const got = await tx(async (t) => {
      const ids = await storeRawDeliveries(t, [b, a]);
      const stored = await t.query<
        Array<{ id: string }>
      >`SELECT id FROM raw_deliveries WHERE platform = 'slack' AND delivery_id = ${ev1}`;
      return { ids, stored: stored.map((r) => r.id) };
    });
    expect(got.stored).toHaveLength(1);
    expect(sorted(got.ids)).toEqual(got.stored);
  });
});

describe("listDeliveries (status filters)", () => {
  let drop: () => Promise<void>;
  let db: Database;
  const seeded: Record<"pending" | "stored" | "unprocessable" | "replayed", Delivery> = {
    pending: delivery("github"),
    stored: delivery("slack"),
    unprocessable: delivery("github"),
    replayed: delivery("deploy"), // unprocessable, then stored by a replay: its error is cleared
  };

  beforeAll(async () => {
    const isolated = await isolatedDatabase();
    drop = isolated.drop;
    db = openDatabase(isolated.url, 2);
    // Committed: listDeliveries reads through Prisma, on its own connections.
    await inTransaction(db.pool, async (t) => {
      await storeRawDeliveries(t, Object.values(seeded));
      await storeEvent(t, seeded.stored);
      await markUnprocessable(t, seeded.unprocessable.id, "unexpected end of JSON input");
      await markUnprocessable(t, seeded.replayed.id, "bad date");
      await storeEvent(t, seeded.replayed, true);
    });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  const list = (q: Partial<Parameters<typeof listDeliveries>[1]> = {}) =>
    listDeliveries(db.prisma, { limit: 50, ...q });
  const newestFirst = (...ds: Delivery[]) =>
    ds
      .map((d) => d.id)
      .sort()
      .reverse();

  it("derives each delivery's status, newest first", async () => {
    const items = await list();
    expect(items.map((i) => i.id)).toEqual(newestFirst(...Object.values(seeded)));
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));
    expect(byId[seeded.pending.id]).toMatchObject({
      status: "pending",
      error: null,
      platform: "github",
      deliveryId: seeded.pending.deliveryId,
    });
    expect(byId[seeded.stored.id]).toMatchObject({ status: "stored", error: null });
    expect(byId[seeded.unprocessable.id]).toMatchObject({
      status: "unprocessable",
      error: "unexpected end of JSON input",
    });
    expect(byId[seeded.replayed.id]).toMatchObject({ status: "stored", error: null });
  });

  it("filters by status, platform and the keyset", async () => {
    const ids = async (q: Partial<Parameters<typeof listDeliveries>[1]>) => (await list(q)).map((i) => i.id);
    expect(await ids({ status: "pending" })).toEqual([seeded.pending.id]);
    expect(await ids({ status: "stored" })).toEqual(newestFirst(seeded.stored, seeded.replayed));
    expect(await ids({ status: "unprocessable" })).toEqual([seeded.unprocessable.id]);
    expect(await ids({ platform: "github" })).toEqual(newestFirst(seeded.pending, seeded.unprocessable));
    expect(await ids({ platform: "github", status: "stored" })).toEqual([]);
    const all = newestFirst(...Object.values(seeded));
    expect(await ids({ before: all[1] })).toEqual(all.slice(2));
    expect(await ids({ limit: 1 })).toEqual(all.slice(0, 1));
  });
});
