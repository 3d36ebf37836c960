/** PostgreSQL deadlock (40P01) and serialization failure (40001), as pg or Prisma report them. */
function isTransient(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string }; message?: string };
  return (
    e.code === "40P01" ||
    e.code === "40001" ||
    e.code === "P2034" ||
    e.meta?.code === "40P01" ||
    /deadlock detected/.test(e.message ?? "")
  );
}

/**
 * Retries a transaction that lost a deadlock or a serialization conflict; correlation locks several scopes and may
 * meet one.
 */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, 10 * i + Math.random() * 20));
    }
  }
}
