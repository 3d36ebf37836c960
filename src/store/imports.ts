import type { PrismaClient } from "../generated/prisma/client.js";

/**
 * The `import_cursors` table (docs/import.md): where each resource of an import stands. A cursor is
 * saved only after its page's deliveries were enqueued, so an import that stopped re-reads at most
 * one page (whose deliveries the queue and raw_deliveries deduplicate).
 */

export interface CursorId {
  platform: string;
  scope: string;
  resource: string;
}

export interface SavedCursor {
  cursor: string | null;
  done: boolean;
  job: string;
  /** The import's span (its `since`, ISO): a next-page cursor carries it, so only the same span resumes it. */
  since: string;
  items: number;
  pages: number;
}

export async function readCursor(prisma: PrismaClient, id: CursorId): Promise<SavedCursor | null> {
  return prisma.importCursor.findUnique({
    where: { platform_scope_resource: id },
    select: { cursor: true, done: true, job: true, since: true, items: true, pages: true },
  });
}

export async function saveCursor(prisma: PrismaClient, id: CursorId, c: SavedCursor): Promise<void> {
  const values = { ...c, updatedAt: new Date() };
  await prisma.importCursor.upsert({
    where: { platform_scope_resource: id },
    create: { ...id, ...values },
    update: values,
  });
}

/** Every cursor of a scope (the API's and tests' view of an import). */
export async function listCursors(prisma: PrismaClient, platform: string, scope: string) {
  return prisma.importCursor.findMany({ where: { platform, scope }, orderBy: { resource: "asc" } });
}
