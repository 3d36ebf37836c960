/** Opaque keyset cursor over (occurred_at, id), newest first. */
export interface Cursor {
  occurredAt: Date;
  id: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.occurredAt.toISOString(), c.id])).toString("base64url");

export function decodeCursor(s: string): Cursor | null {
  try {
    const [t, id] = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as [string, string];
    const occurredAt = new Date(t);
    if (Number.isNaN(occurredAt.getTime()) || typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    return { occurredAt, id };
  } catch {
    return null;
  }
}
