import { afterAll, describe, expect, inject, it } from "vitest";
import { v7 as uuidv7 } from "uuid";
import type { Delivery } from "../../src/shared/event.js";
import { markUnprocessable, storeRawDeliveries } from "../../src/store/deliveries.js";
import { openDatabase } from "../../src/store/prisma.js";
import type { Sql } from "../../src/store/sql.js";
import { rolledBack } from "./seed.js";
import { delivery, storeEvent } from "./deliveries-helpers.js";

/** The raw-first store (contract §8): which deliveries a job processes (their derived status: read/). */

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
