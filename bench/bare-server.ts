import { createServer } from "node:http";

// The ceiling for bench/ingest.ts: read the whole body and answer 202 with a small JSON body,
// nothing else. Runs in its own process so it does not share an event loop with the load generator.
const server = createServer((req, res) => {
  let bytes = 0;
  req.on("data", (chunk: Buffer) => (bytes += chunk.length));
  req.on("end", () => {
    const body = JSON.stringify({ id: "bare", duplicate: false, bytes });
    res.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
