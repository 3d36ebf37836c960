import { v7 as uuidv7 } from "uuid";
import type { Delivery, Platform, Priority } from "../shared/event.js";
import type { CursorId, SavedCursor } from "../store/imports.js";
import type { HistorySource, ImportedDelivery } from "./history.js";

/** Where an import is: the resource being read (the `step`th of `steps`), its items and pages so far (the job's progress). */
export interface ImportProgress {
  resource: string;
  step: number;
  steps: number;
  items: number;
  pages: number;
}

export interface ResourceResult {
  resource: string;
  /** Items and pages of the whole resource, counting an earlier attempt's of the same job. */
  items: number;
  pages: number;
  /** Deliveries made from the pages read by this run. */
  deliveries: number;
  /** Of those, the ones the queue already had (seen within its deduplication window). */
  duplicates: number;
  /** Done by an earlier attempt of the same job: not read again. */
  skipped: boolean;
}

export interface ImportResult {
  platform: Platform;
  scope: string;
  items: number;
  pages: number;
  deliveries: number;
  duplicates: number;
  resources: ResourceResult[];
}

export interface ImportDeps {
  /** The ingest queue's enqueue (queue/ingest/queue.ts): the receivers' own path and deduplication. */
  enqueue(d: Delivery, o: { queuePriority: Priority }): Promise<{ duplicate: boolean }>;
  readCursor(id: CursorId): Promise<SavedCursor | null>;
  saveCursor(id: CursorId, c: SavedCursor): Promise<void>;
  onProgress?(p: ImportProgress): Promise<void> | void;
  /** Asked after each saved page: true stops the run there (its worker is closing); a retry resumes. */
  stopping?(): boolean;
}

/** Thrown when a run stops between pages for its worker's shutdown: the job's retry resumes at the cursor. */
export class ImportStopped extends Error {
  constructor() {
    super("the worker stopped between pages; the import resumes from its cursors");
  }
}

/** An imported delivery as the queue carries it: JSON, marked `source: import`. */
export function toDelivery(platform: Platform, d: ImportedDelivery): Delivery {
  return {
    // A fresh UUIDv7, as a receiver gives: the queue then answers a delivery id it holds as a duplicate, and
    // the rows go to the day's partitions (a random id would land in DEFAULT, kept for ever: docs/partitions.md).
    id: uuidv7(),
    platform,
    deliveryId: d.deliveryId,
    receivedAt: d.receivedAt,
    contentType: "application/json",
    headers: d.headers ?? {},
    body: d.body,
    type: d.type,
    priority: d.priority,
    source: "import",
  };
}

/**
 * Reads every resource of `source` from its saved cursor to its end. Per page: its deliveries are
 * enqueued (at low priority, so live webhooks go first), then the cursor is saved. A crash between
 * the two re-reads that one page, whose deliveries the queue (same platform and delivery id) and
 * raw_deliveries' unique (platform, delivery_id) turn away: no gap, no duplicate.
 *
 * `job` names the run: a resource done by this same job (an attempt BullMQ retried) is skipped; one
 * left unfinished by any job reading the same span (`since`) resumes at its cursor; any other is read
 * from its start (one done by an earlier job: new history since; one left by an import of another span:
 * its next-page cursor would read that span, not this one).
 */
export async function runImport(
  source: HistorySource,
  run: { job: string; since: string },
  deps: ImportDeps,
): Promise<ImportResult> {
  const { job, since } = run;
  const result: ImportResult = {
    platform: source.platform,
    scope: source.scope,
    items: 0,
    pages: 0,
    deliveries: 0,
    duplicates: 0,
    resources: [],
  };
  const steps = source.resources.length;
  for (const [index, resource] of source.resources.entries()) {
    const id: CursorId = { platform: source.platform, scope: source.scope, resource: resource.name };
    const saved = await deps.readCursor(id);
    const r: ResourceResult = {
      resource: resource.name,
      items: 0,
      pages: 0,
      deliveries: 0,
      duplicates: 0,
      skipped: false,
    };
    result.resources.push(r);
    if (saved?.done && saved.job === job) {
      Object.assign(r, { items: saved.items, pages: saved.pages, skipped: true });
      result.items += r.items;
      result.pages += r.pages;
      continue;
    }
    const resumed = saved && !saved.done && saved.since === since;
    let cursor = resumed ? saved.cursor : null;
    // Totals carry over from the attempt that stopped, so the saved row counts the whole resource.
    let items = resumed ? saved.items : 0;
    let pages = resumed ? saved.pages : 0;
    for (;;) {
      const page = await resource.page(cursor);
      const enqueued = await Promise.all(
        page.deliveries.map((d) => deps.enqueue(toDelivery(source.platform, d), { queuePriority: "low" })),
      );
      const duplicates = enqueued.filter((e) => e.duplicate).length;
      items += page.items;
      pages += 1;
      r.deliveries += page.deliveries.length;
      r.duplicates += duplicates;
      cursor = page.next;
      await deps.saveCursor(id, { cursor, done: cursor === null, job, since, items, pages });
      await deps.onProgress?.({ resource: resource.name, step: index + 1, steps, items, pages });
      if (cursor === null) break;
      if (deps.stopping?.()) throw new ImportStopped();
    }
    // The resource's whole count, across the attempts that read it.
    r.items = items;
    r.pages = pages;
    result.items += r.items;
    result.pages += r.pages;
    result.deliveries += r.deliveries;
    result.duplicates += r.duplicates;
  }
  return result;
}
