import { describe, expect, it } from "vitest";
import {
  planRedeliveries,
  unsucceededGuids,
  type DeliveryAttempt,
  type PlanOptions,
  type SkipReason,
} from "../../../src/platforms/github/reconcile-plan.js";

const now = new Date("2025-01-15T12:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
let nextId = 1;
/** An attempt `ago` ms before `now`. */
const at = (guid: string, ago: number, status_code: number, redelivery = false): DeliveryAttempt => ({
  id: nextId++,
  guid,
  delivered_at: new Date(now.getTime() - ago).toISOString(),
  redelivery,
  status_code,
  status: status_code >= 200 && status_code < 300 ? "OK" : "Invalid HTTP Response: 500",
  event: "push",
  action: null,
});

type Row = {
  name: string;
  deliveries: DeliveryAttempt[];
  stored?: string[];
  o?: Partial<PlanOptions>;
  redeliver: string[];
  skipped?: [string, SkipReason][];
  failed: number;
  stored_count?: number;
};

const table: Row[] = [
  { name: "a recent failure is redelivered", deliveries: [at("a", HOUR, 500)], redeliver: ["a"], failed: 1 },
  { name: "failed to connect (status 0) is a failure", deliveries: [at("a", HOUR, 0)], redeliver: ["a"], failed: 1 },
  { name: "a redirect is a failure", deliveries: [at("a", HOUR, 302)], redeliver: ["a"], failed: 1 },
  {
    name: "successes alone are neither failed nor skipped",
    deliveries: [at("a", HOUR, 200), at("b", HOUR, 204)],
    redeliver: [],
    failed: 0,
  },
  {
    name: "a later success handles the GUID",
    deliveries: [at("a", HOUR, 200, true), at("a", 2 * HOUR, 500)],
    redeliver: [],
    skipped: [["a", "succeeded"]],
    failed: 1,
  },
  {
    name: "any success handles the GUID, even before a failed redelivery",
    deliveries: [at("a", HOUR, 500, true), at("a", 2 * HOUR, 200)],
    redeliver: [],
    skipped: [["a", "succeeded"]],
    failed: 1,
  },
  {
    name: "a stored GUID is skipped and counted",
    deliveries: [at("a", HOUR, 500), at("b", HOUR, 500)],
    stored: ["a"],
    redeliver: ["b"],
    skipped: [["a", "stored"]],
    failed: 2,
    stored_count: 1,
  },
  {
    name: "several failed attempts are redelivered once",
    deliveries: [at("a", 20 * MIN, 500, true), at("a", HOUR, 500, true), at("a", 2 * HOUR, 500)],
    redeliver: ["a"],
    failed: 1,
  },
  { name: "two days old is within the window", deliveries: [at("a", 48 * HOUR, 500)], redeliver: ["a"], failed: 1 },
  {
    name: "inside GitHub's 3 days but not its safety hour: expired",
    deliveries: [at("a", 71.5 * HOUR, 500)],
    redeliver: [],
    skipped: [["a", "expired"]],
    failed: 1,
  },
  {
    name: "older than 3 days: expired",
    deliveries: [at("a", 80 * HOUR, 500)],
    redeliver: [],
    skipped: [["a", "expired"]],
    failed: 1,
  },
  {
    name: "the latest attempt decides the window",
    deliveries: [at("a", 2 * HOUR, 500, true), at("a", 80 * HOUR, 500)],
    redeliver: ["a"],
    failed: 1,
  },
  {
    name: "a shorter windowMs",
    deliveries: [at("a", 2 * HOUR, 500), at("b", 30 * MIN, 500)],
    o: { windowMs: HOUR },
    redeliver: ["b"],
    skipped: [["a", "expired"]],
    failed: 2,
  },
  {
    name: "a longer windowMs is capped at GitHub's limit",
    deliveries: [at("a", 71.5 * HOUR, 500)],
    o: { windowMs: 30 * 24 * HOUR },
    redeliver: [],
    skipped: [["a", "expired"]],
    failed: 1,
  },
  {
    name: "a redelivery within 10 minutes is pending",
    deliveries: [at("a", 5 * MIN, 500, true), at("a", HOUR, 500)],
    redeliver: [],
    skipped: [["a", "pending"]],
    failed: 1,
  },
  {
    name: "a redelivery older than 10 minutes is not",
    deliveries: [at("a", 15 * MIN, 500, true), at("a", HOUR, 500)],
    redeliver: ["a"],
    failed: 1,
  },
  {
    name: "a fresh original delivery is not a pending redelivery",
    deliveries: [at("a", MIN, 500)],
    redeliver: ["a"],
    failed: 1,
  },
  {
    name: "pendingMs is configurable",
    deliveries: [at("a", 15 * MIN, 500, true), at("b", 5 * MIN, 500, true)],
    o: { pendingMs: 20 * MIN },
    redeliver: [],
    skipped: [
      ["a", "pending"],
      ["b", "pending"],
    ],
    failed: 2,
  },
  {
    name: "since: only events first delivered after it",
    deliveries: [at("a", 30 * MIN, 500, true), at("a", 3 * HOUR, 500), at("b", HOUR, 500)],
    o: { since: new Date(now.getTime() - 2 * HOUR) },
    redeliver: ["b"],
    skipped: [["a", "before-since"]],
    failed: 2,
  },
  {
    name: "stored wins over the other reasons",
    deliveries: [at("a", 80 * HOUR, 500)],
    stored: ["a"],
    redeliver: [],
    skipped: [["a", "stored"]],
    failed: 1,
    stored_count: 1,
  },
];

describe("planRedeliveries", () => {
  it.each(table)("$name", (row) => {
    const plan = planRedeliveries(row.deliveries, new Set(row.stored ?? []), { now, ...row.o });
    expect(plan.redeliver.map((d) => d.guid).sort()).toEqual(row.redeliver);
    expect(plan.skipped.map((s) => [s.guid, s.reason]).sort()).toEqual(row.skipped ?? []);
    expect(plan.failed).toBe(row.failed);
    expect(plan.stored).toBe(row.stored_count ?? 0);
    expect(plan.failed).toBe(plan.redeliver.length + plan.skipped.length);
  });

  it("redelivers the latest attempt's id, whatever the listing order", () => {
    const older = at("a", 2 * HOUR, 500);
    const latest = at("a", 30 * MIN, 500, true);
    const middle = at("a", HOUR, 500, true);
    const plan = planRedeliveries([older, latest, middle], new Set(), { now });
    expect(plan.redeliver).toEqual([latest]);
  });

  it("keeps the caller's extra fields on the chosen attempt", () => {
    const d = { ...at("a", HOUR, 500), target: "repo" };
    expect(planRedeliveries([d], new Set(), { now }).redeliver[0]?.target).toBe("repo");
  });
});

describe("unsucceededGuids", () => {
  it("lists each GUID without a 2xx attempt once", () => {
    const ds = [at("a", HOUR, 500), at("a", 2 * HOUR, 500), at("b", HOUR, 200), at("b", 2 * HOUR, 500)];
    ds.push(at("c", HOUR, 0));
    expect(unsucceededGuids(ds).sort()).toEqual(["a", "c"]);
  });
});
