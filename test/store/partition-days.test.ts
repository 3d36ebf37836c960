import { v7 as uuidv7 } from "uuid";
import { describe, expect, it } from "vitest";
import {
  bounds,
  dayOf,
  dayOfPartition,
  daysAhead,
  expiredDays,
  partitionName,
  PARTITIONED,
  tableOfPartition,
  uuid7Floor,
} from "../../src/store/partition-days.js";

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe("partition days (pure)", () => {
  it("names a day's partition and reads the day back; other names are no day", () => {
    expect(partitionName("events", day("2026-12-08"))).toBe("events_p20261208");
    expect(dayOfPartition("events", "events_p20261208")).toEqual(day("2026-12-08"));
    expect(dayOfPartition("events", "events_default")).toBeNull();
    expect(dayOfPartition("events", "raw_deliveries_p20261208")).toBeNull();
    expect(dayOfPartition("events", "events_p20261399")).toBeNull();
    expect(tableOfPartition("outbound_attempts_p20261208")).toBe("outbound_attempts");
  });

  it("bounds a day by UUIDv7 prefixes: every id made within the day falls inside, the next day's after", () => {
    const d = day("2026-12-08");
    const { from, to } = bounds("id", d);
    expect(from).toBe(uuid7Floor(d));
    expect(from).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-0000-0000-000000000000$/);
    expect(parseInt(from.replaceAll("-", "").slice(0, 12), 16)).toBe(d.getTime());
    for (const ms of [d.getTime(), d.getTime() + 43_200_000, d.getTime() + 86_399_999]) {
      const id = uuidv7({ msecs: ms });
      expect(id >= from && id < to).toBe(true);
    }
    expect(uuidv7({ msecs: d.getTime() + 86_400_000 }) >= to).toBe(true);
    expect(bounds("time", d)).toEqual({ from: "2026-12-08T00:00:00.000Z", to: "2026-12-09T00:00:00.000Z" });
  });

  it("makes today and the premake days ahead, from any time of the day", () => {
    const ahead = daysAhead(new Date("2026-12-08T23:59:59.999Z"), 2);
    expect(ahead).toEqual([day("2026-12-08"), day("2026-12-09"), day("2026-12-10")]);
    expect(dayOf(new Date("2026-12-08T00:00:00.000Z"))).toEqual(day("2026-12-08"));
  });

  it("expires only days wholly older than the cutoff, and none when retention is 0", () => {
    const days = ["2026-12-01", "2026-12-05", "2026-12-06", "2026-12-07", "2026-12-09"].map(day);
    const now = new Date("2026-12-08T12:00:00Z");
    // Cutoff 2026-12-06T12:00: the 6th ends after it and stays.
    expect(expiredDays(days, now, 2)).toEqual([day("2026-12-01"), day("2026-12-05")]);
    expect(expiredDays(days, now, 0)).toEqual([]);
  });

  it("drops a table's partitions before those of the table its rows reference", () => {
    const order = PARTITIONED.map((t) => t.name);
    for (const child of ["github_events", "deployments", "incident_events", "gitlab_events"]) {
      expect(order.indexOf(child)).toBeLessThan(order.indexOf("events"));
    }
    expect(order.indexOf("events")).toBeLessThan(order.indexOf("raw_deliveries"));
  });
});
