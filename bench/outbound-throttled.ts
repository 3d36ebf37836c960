/**
 * bench/outbound.ts's throttled step (issue 18): a subscription with a rate limit, on a receiver of
 * its own (host 127.0.0.3, so the burst's host limit is not shared), gets THROTTLED events stored at
 * once; the figures are its achieved rate against the limit (first to last delivery) and whether
 * the messages arrived in the order they were made. Run apart from the burst, so the burst's figures
 * are those of the common path alone.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { v7 as uuidv7 } from "uuid";

const THROTTLED = Number(process.env.THROTTLED ?? 1000);
const THROTTLED_RATE = Number(process.env.THROTTLED_RATE ?? 200);

/** Stores the events for the throttled subscription only (environment `staging`), in one transaction. */
type Store = (n: number, environment: string) => Promise<void>;

export async function throttledRun(db: pg.Client, store: Store): Promise<string> {
  // The event id (uuidv7, made in order by the bench) of each message, in arrival order, and when.
  const arrivals: Array<{ id: string; at: number }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: { id: string } };
      arrivals.push({ id: body.data.id, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  server.listen(0, "127.0.0.3");
  await once(server, "listening");
  try {
    const url = `http://127.0.0.3:${(server.address() as { port: number }).port}/throttled`;
    await db.query(
      `INSERT INTO subscriptions (id, name, kind, url, types, "where", enabled, secrets, rate_limit)
       VALUES ($1, 'bench-throttled', 'webhook', $2, ARRAY['deploy.*'], '{"environment": "staging"}', true,
         ARRAY[$3], $4)`,
      [uuidv7(), url, `whsec_${randomBytes(32).toString("base64")}`, THROTTLED_RATE],
    );
    const t0 = Date.now();
    await store(THROTTLED, "staging");
    const deadline = t0 + (THROTTLED / THROTTLED_RATE) * 3000 + 30_000;
    while (arrivals.length < THROTTLED && Date.now() < deadline) await sleep(100);
    const n = arrivals.length;
    const achieved = n > 1 ? ((n - 1) * 1000) / (arrivals[n - 1]!.at - arrivals[0]!.at) : NaN;
    const late = arrivals.filter((a, i) => i > 0 && a.id < arrivals[i - 1]!.id).length;
    // Sends start in order; two started a few ms apart may arrive the other way round (a loaded machine).
    const { rows } = await db.query(`
      SELECT m.payload->'data'->>'id' AS id FROM outbound_attempts a
      JOIN outbound_messages m ON m.id = a.message_id JOIN subscriptions s ON s.id = m.subscription_id
      WHERE s.name = 'bench-throttled' ORDER BY a.at, a.id`);
    const started = (rows as Array<{ id: string }>).filter((r, i) => i > 0 && r.id < rows[i - 1].id).length;
    return (
      `throttled: ${n} of ${THROTTLED} messages to a subscription limited to ${THROTTLED_RATE}/s: ` +
      `${achieved.toFixed(1)}/s first to last delivery (accuracy ${((achieved / THROTTLED_RATE) * 100).toFixed(1)} % ` +
      `of the limit); arrived in creation order but ${late}, sends started in creation order but ${started}`
    );
  } finally {
    server.closeAllConnections();
    server.close();
    // Its messages are done: the later steps' events (production) do not match it anyway.
  }
}
