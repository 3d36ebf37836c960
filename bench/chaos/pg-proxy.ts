/**
 * A TCP proxy between the service and PostgreSQL (loopback only) that can play "PostgreSQL is
 * down": `refuse()` resets every open connection (RST both ways) and stops listening, so new
 * connections are refused (ECONNREFUSED) as by a stopped server; `accept()` listens again on the
 * same port. The shared PostgreSQL itself is never touched.
 */
import { once } from "node:events";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface PgProxy {
  readonly port: number;
  /** Connections opened through the proxy so far, and those reset by `refuse()`. */
  readonly stats: { opened: number; reset: number };
  refuse(): Promise<void>;
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startPgProxy(target: { host: string; port: number }): Promise<PgProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const stats = { opened: 0, reset: 0 };
  const server = net.createServer({ noDelay: true }, (client) => {
    stats.opened++;
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on("error", () => undefined);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  let listening = true;

  return {
    port,
    stats,
    async refuse() {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        stats.reset++;
        for (const s of pair) if (!s.destroyed) s.resetAndDestroy();
      }
      await closed;
    },
    async accept() {
      if (listening) return;
      // The port was ours a moment ago; retry briefly in case the kernel has not released it yet.
      for (let attempt = 1; ; attempt++) {
        try {
          server.listen(port, "127.0.0.1");
          await new Promise<void>((resolve, reject) => {
            const done = (err?: Error) => {
              server.off("listening", done).off("error", done);
              if (err) reject(err);
              else resolve();
            };
            server.once("listening", done).once("error", done);
          });
          listening = true;
          return;
        } catch (err) {
          if (attempt >= 50)
            throw new Error(`pg proxy: cannot listen again on ${port}: ${(err as Error).message}`, { cause: err });
          await sleep(100);
        }
      }
    },
    async close() {
      for (const pair of [...pairs]) for (const s of pair) s.destroy();
      pairs.clear();
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      listening = false;
    },
  };
}
