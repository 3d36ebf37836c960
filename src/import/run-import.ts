import { createHash } from "node:crypto";
import type { Delivery, Platform, Priority } from "../shared/event.js";
import type { CursorId, SavedCursor } from "../store/imports.js";
import type { HistorySource, ImportedDelivery } from "./history.js";

/** Where an import is: the resource being read, and its items and pages so far (the job's progress). */
export interface ImportProgress {
  resource: string;
  items: number;
  pages: number;
}

export interface ResourceResult {
  resource: string;
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
}

/**
 * A delivery's id from its (platform, delivery id): the same import item is the same BullMQ job id
 * and the same raw_deliveries id, whatever run reads it.
 */
export function importDeliveryUuid(platform: string, deliveryId: string): string {
  const h = createHash("sha256").update(`${platform}\0${deliveryId}`).digest("hex");
  // Shaped as a version-8 (custom) UUID with the RFC 9562 variant.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An imported delivery as the queue carries it: JSON, marked `source: import`. */
export function toDelivery(platform: Platform, d: ImportedDelivery): Delivery {
  return {
    id: importDeliveryUuid(platform, d.deliveryId),
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
 * left unfinished by any job resumes at its cursor; one done by an earlier job is read again from
 * its start (new history since).
 */
export async function runImport(source: HistorySource, job: string, deps: ImportDeps): Promise<ImportResult> {
  const result: ImportResult = {
    platform: source.platform,
    scope: source.scope,
    items: 0,
    pages: 0,
    deliveries: 0,
    duplicates: 0,
    resources: [],
  };
  for (const resource of source.resources) {
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
      r.skipped = true;
      continue;
    }
    const resumed = saved && !saved.done;
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
      r.items += page.items;
      r.pages += 1;
      r.deliveries += page.deliveries.length;
      r.duplicates += duplicates;
      cursor = page.next;
      await deps.saveCursor(id, { cursor, done: cursor === null, job, items, pages });
      await deps.onProgress?.({ resource: resource.name, items, pages });
      if (cursor === null) break;
    }
    result.items += r.items;
    result.pages += r.pages;
    result.deliveries += r.deliveries;
    result.duplicates += r.duplicates;
  }
  return result;
}
