import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";

/** One request a receiver got, stamped with its own clock. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the receiver answers its n-th request (0-based); `hold` never answers (a timeout). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hold";

/**
 * A loopback webhook receiver: records every request and answers as `answer` says. `close()`
 * ends held requests too.
 */
export async function startReceiver(answer: (n: number, r: Received) => Answer = () => ({ status: 200 })) {
  const received: Received[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = {
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      const a = answer(received.length, r);
      received.push(r);
      if (a === "hold") {
        held.add(res);
        return;
      }
      res.writeHead(a.status, { "content-type": "text/plain", ...a.headers });
      res.end(a.body ?? `answered ${a.status}`);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    port,
    url: (path = "/hook") => `http://127.0.0.1:${port}${path}`,
    received,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
