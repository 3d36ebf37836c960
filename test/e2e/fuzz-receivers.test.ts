import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { useTestPrisma, useTestService, waitFor } from "../helpers/service.js";
import { FUZZED, planner, type Planned } from "../helpers/fuzz-receivers-plan.js";

/**
 * Seeded fuzz of every receiver over real HTTP: correctly signed bodies with mutated fields,
 * mutated headers and bodies, and broken transfers. Whatever arrives, the answer is never a 5xx
 * but 503, and every delivery answered 202 is stored. FUZZ_SEED reproduces a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const REQUESTS = 3000;
const CONCURRENCY = 8;
const BUDGET_MS = 15_000; // generation stops here whatever the count, so the file stays bounded

const ctx = useTestService();
const prisma = useTestPrisma();
const run = randomUUID().slice(0, 8); // ids of this run, so reruns against the same Redis are new
const plan = planner(SEED, run);

// ---- sending ----
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(url: URL, p: Planned): Promise<{ status: number; body: string } | null> {
  if (p.cut) return sendCut(url, p);
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `/webhooks/${p.platform}`,
        method: "POST",
        agent,
        headers: { ...p.headers, "content-length": p.body.length },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    // A connection closed after an early answer (413, 431) may reset before the body is written.
    req.on("error", () => resolve(null));
    req.end(p.body);
  });
}

/** A request whose body never completes: the socket is destroyed, or half-closed, midway. */
async function sendCut(url: URL, p: Planned): Promise<{ status: number; body: string } | null> {
  const socket = connect(Number(url.port), url.hostname);
  socket.on("error", () => undefined);
  let data = "";
  socket.on("data", (d: Buffer) => (data += d.toString()));
  const head = Object.entries({ ...p.headers, "content-length": String(p.body.length + 10) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.write(`POST /webhooks/${p.platform} HTTP/1.1\r\nHost: localhost\r\n${head}\r\n`);
  socket.write(p.body.subarray(0, p.body.length >> 1));
  await sleep(5);
  if (p.cut === "destroy") socket.destroy();
  else socket.end();
  await Promise.race([new Promise((r) => socket.once("close", r)), sleep(2000)]);
  socket.destroy();
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]);
  return Number.isFinite(status) ? { status, body: data } : null;
}

describe("fuzzed deliveries", () => {
  it("never answer a 5xx but 503, and every 202 is stored", { timeout: 90_000 }, async () => {
    const url = new URL(ctx.url);
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    const accepted = new Map<string, string>(); // event id → platform
    let next = 0;
    const deadline = Date.now() + BUDGET_MS;
    const lane = async () => {
      while (next < REQUESTS && Date.now() < deadline) {
        const i = next++;
        const p = plan(i);
        const res = await send(url, p);
        if (!res) continue;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500 && res.status !== 503)
          bad.push(`#${i} ${p.platform} ${res.status} ${res.body.slice(0, 200)}`);
        if (res.status === 202) accepted.set(JSON.parse(res.body).id, p.platform);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    agent.destroy();
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`fuzz seed ${SEED}: ${next} planned, ${sent} answered`, Object.fromEntries(statuses));

    expect(bad).toEqual([]);
    expect(next).toBeGreaterThanOrEqual(1000); // enough of a run to mean something
    // Every receiver accepted some and refused some: the mutations reached both sides.
    for (const platform of FUZZED) {
      expect([...accepted.values()].filter((p) => p === platform).length, platform).toBeGreaterThan(10);
    }
    expect(statuses.get(400)).toBeGreaterThan(10);
    expect(statuses.get(401)).toBeGreaterThan(10);
    // Still serving afterwards.
    expect((await fetch(`${ctx.url}/healthz`)).status).toBe(200);

    // contract §2/§8: every delivery answered 202 is stored (raw first, even if it cannot become an event).
    const ids = [...accepted.keys()];
    const stored = async () => {
      const found = await prisma.rawDelivery.findMany({ where: { id: { in: ids } }, select: { id: true } });
      return new Set(found.map((f) => f.id));
    };
    await waitFor(async () => (await stored()).size === ids.length, 30_000).catch(() => undefined);
    const have = await stored();
    const missing = ids.filter((id) => !have.has(id));
    if (missing.length) {
      const jobs = await Promise.all(
        missing.slice(0, 5).map(async (id) => {
          const job = await ctx.service.queue.getJob(id);
          return `${id} ${accepted.get(id)} ${job ? `${await job.getState()} ${job.failedReason ?? ""}` : "no job"}`;
        }),
      );
      console.log(`${missing.length} accepted deliveries not stored, e.g.:\n${jobs.join("\n")}`);
    }
    expect(missing).toEqual([]);
    // Not the receivers' concern, but worth seeing: accepted shapes the pipeline could not process.
    const unprocessable = await prisma.rawDelivery.findMany({
      where: { id: { in: ids }, error: { not: null } },
      select: { platform: true, error: true },
    });
    const reasons = new Set(unprocessable.map((u) => `${u.platform}: ${u.error!.slice(0, 100)}`));
    console.log(
      `${ids.length} accepted, all stored; ${unprocessable.length} unprocessable:\n${[...reasons].join("\n")}`,
    );
  });
});
