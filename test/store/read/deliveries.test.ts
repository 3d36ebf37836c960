import { beforeAll, describe, expect, it } from "vitest";
import type { Delivery } from "../../../src/shared/event.js";
import { markUnprocessable, storeRawDeliveries } from "../../../src/store/deliveries.js";
import { listDeliveries } from "../../../src/store/read/deliveries.js";
import { inTransaction } from "../../../src/store/sql.js";
import { useIsolatedDatabase } from "../../helpers/service.js";
import { delivery, storeEvent } from "../deliveries-helpers.js";

/** `GET /api/deliveries`'s read model (contract §8): each raw delivery's derived status. */

describe("listDeliveries (status filters)", () => {
  const seeded: Record<"pending" | "stored" | "unprocessable" | "replayed", Delivery> = {
    pending: delivery("github"),
    stored: delivery("slack"),
    unprocessable: delivery("github"),
    replayed: delivery("deploy"), // unprocessable, then stored by a replay: its error is cleared
  };

  const store = useIsolatedDatabase();
  beforeAll(async () => {
    // Committed: listDeliveries reads on its own pooled connection.
    await inTransaction(store.db.pool, async (t) => {
      await storeRawDeliveries(t, Object.values(seeded));
      await storeEvent(t, seeded.stored);
      await markUnprocessable(t, seeded.unprocessable.id, "unexpected end of JSON input");
      await markUnprocessable(t, seeded.replayed.id, "bad date");
      await storeEvent(t, seeded.replayed, true);
    });
  });

  const list = (q: Partial<Parameters<typeof listDeliveries>[1]> = {}) =>
    listDeliveries(store.db.pool, { limit: 50, ...q });
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
