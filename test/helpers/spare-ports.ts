import { createServer } from "node:net";

/** Whether nothing listens on `port` of the loopback address now. */
export async function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * `count` distinct free ports from [from, from + size), probed at random: for servers a test starts itself
 * (a Redis Cluster, a PostgreSQL and its replica) on the tests' spare ranges, never the shared services' ports.
 */
export async function sparePorts(count: number, from: number, size: number, taken: number[] = []): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count && tries < 500; tries++) {
    const port = from + Math.floor(Math.random() * size);
    if (!ports.includes(port) && !taken.includes(port) && (await portFree(port))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`no ${count} spare ports in ${from}-${from + size - 1}`);
  return ports;
}
