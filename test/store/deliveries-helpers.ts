import { v7 as uuidv7 } from "uuid";
import type { Delivery, Platform } from "../../src/shared/event.js";
import { storeEvents } from "../../src/store/deliveries.js";
import type { Sql } from "../../src/store/sql.js";

/** A raw delivery of `platform`, as a receiver would have accepted it. */
export const delivery = (platform: Platform = "deploy", deliveryId = `msg-${uuidv7()}`): Delivery => ({
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
export const storeEvent = (t: Sql, d: Delivery, replace = false) =>
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
