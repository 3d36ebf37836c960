import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

/**
 * The loopback receiver of bench/outbound.ts, in a process of its own (it must not share an event
 * loop with the load). Verifies every Standard Webhooks signature as a real receiver would, counts
 * distinct messages per subscription path, and keeps each message's latency from when its event
 * was stored (the body's `timestamp`) to its arrival here. `/ceiling` verifies and answers without
 * keeping anything: the bare receiver's rate. Talks to its parent over IPC.
 * Env: SECRETS (JSON: path → whsec_ secret).
 */

const secrets = JSON.parse(process.env.SECRETS ?? "{}") as Record<string, string>;
const verifiers = new Map(Object.entries(secrets).map(([path, s]) => [path, new Webhook(s)]));

let seen = new Set<string>();
let latencies: number[] = [];
let duplicates = 0;
let badSignatures = 0;
let lastAt = 0;
let firstAt = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const path = (req.url ?? "").split("?")[0]!;
    const verifier = verifiers.get(path === "/ceiling" ? "/a" : path);
    const body = Buffer.concat(chunks).toString("utf8");
    let payload: { timestamp: string };
    try {
      payload = verifier!.verify(body, req.headers as Record<string, string>) as { timestamp: string };
    } catch {
      badSignatures++;
      res.writeHead(400).end();
      return;
    }
    if (path !== "/ceiling") {
      const now = Date.now();
      const key = `${path} ${String(req.headers["webhook-id"])}`;
      if (seen.has(key)) duplicates++;
      else {
        seen.add(key);
        latencies.push(now - Date.parse(payload.timestamp));
        if (!firstAt) firstAt = now;
        lastAt = now;
      }
    }
    res.writeHead(204).end();
  });
});
// Longer than the sender's idle sockets live: a reused socket is never closed under it.
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send!({ ready: (server.address() as { port: number }).port });
});

process.on("message", (m: { cmd: string }) => {
  if (m.cmd === "count") process.send!({ count: seen.size, duplicates, badSignatures, firstAt, lastAt });
  else if (m.cmd === "stats")
    process.send!({ count: seen.size, duplicates, badSignatures, firstAt, lastAt, latencies });
  else if (m.cmd === "reset") {
    seen = new Set();
    latencies = [];
    duplicates = badSignatures = lastAt = firstAt = 0;
    process.send!({ reset: true });
  }
});
process.on("disconnect", () => process.exit(0));
