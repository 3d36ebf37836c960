import { describe, expect, it } from "vitest";
import type { HistoryResource, HistorySource } from "../../src/import/history.js";
import { runImport, type ImportDeps } from "../../src/import/run-import.js";
import type { Delivery } from "../../src/shared/event.js";
import type { SavedCursor } from "../../src/store/imports.js";

/** The runner (src/import/run-import.ts) on in-memory cursors and queue: order, resume, skip. */

/** A resource of `pages` pages of 2 deliveries each; `failAt` throws once when that page is read. */
function resource(name: string, pages: number, o: { failAt?: number; reads?: string[] } = {}): HistoryResource {
  let failed = false;
  return {
    name,
    async page(cursor) {
      const n = cursor === null ? 1 : Number(cursor);
      o.reads?.push(`${name}:${n}`);
      if (n === o.failAt && !failed) {
        failed = true;
        throw new Error("crash");
      }
      const deliveries = [1, 2].map((i) => ({
        deliveryId: `import:${name}:${n}:${i}`,
        type: "github.push",
        priority: "normal" as const,
        body: "{}",
        receivedAt: "2026-01-01T00:00:00.000Z",
      }));
      return { deliveries, items: 2, next: n < pages ? String(n + 1) : null };
    },
  };
}

function memory() {
  const cursors = new Map<string, SavedCursor>();
  const queued = new Map<string, Delivery>();
  const log: string[] = [];
  const deps: ImportDeps = {
    async enqueue(d, o) {
      expect(o.queuePriority).toBe("low");
      const duplicate = queued.has(d.deliveryId);
      if (!duplicate) queued.set(d.deliveryId, d);
      log.push(`enqueue ${d.deliveryId}`);
      return { duplicate };
    },
    async readCursor(id) {
      return cursors.get(id.resource) ?? null;
    },
    async saveCursor(id, c) {
      log.push(`save ${id.resource} ${c.cursor}`);
      cursors.set(id.resource, c);
    },
  };
  return { cursors, queued, log, deps };
}

const SINCE = "2026-01-01T00:00:00.000Z";
const JOB1 = { job: "job-1", since: SINCE };
const JOB2 = { job: "job-2", since: SINCE };

const source = (...resources: HistoryResource[]): HistorySource => ({
  platform: "github",
  scope: "acme/shop",
  resources,
});

describe("runImport", () => {
  it("enqueues a page's deliveries before saving its cursor, and marks them imported", async () => {
    const m = memory();
    const result = await runImport(source(resource("pulls", 2)), JOB1, m.deps);
    expect(m.log).toEqual([
      "enqueue import:pulls:1:1",
      "enqueue import:pulls:1:2",
      "save pulls 2",
      "enqueue import:pulls:2:1",
      "enqueue import:pulls:2:2",
      "save pulls null",
    ]);
    expect([...m.queued.values()].every((d) => d.source === "import" && d.platform === "github")).toBe(true);
    expect(result).toMatchObject({ items: 4, pages: 2, deliveries: 4, duplicates: 0 });
    expect(m.cursors.get("pulls")).toMatchObject({ done: true, job: "job-1", items: 4, pages: 2 });
  });

  it("resumes a failed attempt at the saved cursor, skipping what the same job finished", async () => {
    const m = memory();
    const reads: string[] = [];
    const src = source(resource("commits", 2, { reads }), resource("pulls", 4, { failAt: 3, reads }));
    await expect(runImport(src, JOB1, m.deps)).rejects.toThrow("crash");
    expect(m.cursors.get("pulls")).toMatchObject({ cursor: "3", done: false });
    const result = await runImport(src, JOB1, m.deps);
    expect(reads).toEqual(["commits:1", "commits:2", "pulls:1", "pulls:2", "pulls:3", "pulls:3", "pulls:4"]);
    expect(m.queued.size).toBe(12);
    expect(result.resources[0]).toMatchObject({ resource: "commits", skipped: true, items: 4 });
    expect(result.resources[1]).toMatchObject({ resource: "pulls", items: 8, pages: 4, deliveries: 4 });
  });

  it("reads a resource again from its start for a new job, its deliveries then duplicates", async () => {
    const m = memory();
    await runImport(source(resource("pulls", 2)), JOB1, m.deps);
    const again = await runImport(source(resource("pulls", 2)), JOB2, m.deps);
    expect(again).toMatchObject({ deliveries: 4, duplicates: 4 });
    expect(m.queued.size).toBe(4);
  });

  it("resumes another job's unfinished cursor only for the same span: a page cursor carries its since", async () => {
    const m = memory();
    const reads: string[] = [];
    const src = source(resource("pulls", 3, { failAt: 2, reads }));
    await expect(runImport(src, JOB1, m.deps)).rejects.toThrow("crash");
    expect(m.cursors.get("pulls")).toMatchObject({ cursor: "2", done: false, since: SINCE });
    // A wider import starts over rather than follow the narrower one's next page.
    await runImport(src, { job: "job-3", since: "2025-01-01T00:00:00.000Z" }, m.deps);
    expect(reads).toEqual(["pulls:1", "pulls:2", "pulls:1", "pulls:2", "pulls:3"]);
  });

  it("a crash between enqueueing a page and saving its cursor re-reads that page only: no gap, no duplicate", async () => {
    const m = memory();
    const reads: string[] = [];
    const src = source(resource("pulls", 3, { reads }));
    let saves = 0;
    const crashing: ImportDeps = {
      ...m.deps,
      async saveCursor(id, c) {
        if (++saves === 2) throw new Error("killed after enqueueing page 2");
        await m.deps.saveCursor(id, c);
      },
    };
    await expect(runImport(src, JOB1, crashing)).rejects.toThrow(/killed/);
    const result = await runImport(src, JOB1, m.deps);
    expect(reads).toEqual(["pulls:1", "pulls:2", "pulls:2", "pulls:3"]);
    expect(m.queued.size).toBe(6);
    expect(result.resources[0]).toMatchObject({ deliveries: 4, duplicates: 2 });
  });
});

describe("runImport stopping", () => {
  it("stops after a saved page when its worker closes, and the next run goes on from there", async () => {
    const m = memory();
    const reads: string[] = [];
    let stop = true;
    const src = source(resource("pulls", 3, { reads }));
    await expect(runImport(src, JOB1, { ...m.deps, stopping: () => stop })).rejects.toThrow(/resumes/);
    expect(m.cursors.get("pulls")).toMatchObject({ cursor: "2", done: false });
    stop = false;
    await runImport(src, JOB1, m.deps);
    expect(reads).toEqual(["pulls:1", "pulls:2", "pulls:3"]);
  });
});
