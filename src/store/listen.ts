import pg from "pg";
import { parseDatabaseUrl } from "./database-url.js";

/**
 * LISTENs on `channel` on a connection of its own, calling `onNotify` for each notification;
 * reconnects after a loss (notifications meanwhile are missed: callers also poll).
 */
export function listen(databaseUrl: string, channel: string, onNotify: () => void): { close(): Promise<void> } {
  const { connectionString } = parseDatabaseUrl(databaseUrl);
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = () => {
    if (closed) return;
    const c = new pg.Client({ connectionString });
    client = c;
    let gone = false;
    // A failed LISTEN both rejects and emits 'error': the client is given up, and replaced, once.
    const lost = () => {
      if (gone) return;
      gone = true;
      c.removeAllListeners("notification");
      c.end().catch(() => undefined);
      if (!closed) retry = setTimeout(connect, 1000);
    };
    c.on("error", lost);
    c.on("notification", onNotify);
    c.connect()
      .then(() => c.query(`LISTEN "${channel.replaceAll('"', '""')}"`))
      .then(() => onNotify()) // anything written while not listening
      .catch(lost);
  };
  connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
