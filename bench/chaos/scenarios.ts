/** The chaos bench's scenarios: each injects one fault mid-stream and heals it. */
import { setTimeout as sleep } from "node:timers/promises";
import type { Queue } from "bullmq";
import type { PgProxy } from "./pg-proxy.js";
import { signal, waitHttpOk, type Proc } from "./processes.js";
import type { RedisServer } from "./redis-server.js";
import type { Sender } from "./sender.js";
import { PG_DOWN_S, RATE } from "./settings.js";

export interface Ctx {
  web: Proc;
  /** The web process's port, the same across restarts. */
  webPort: number;
  workers: Proc[];
  redis: RedisServer;
  proxy: PgProxy;
  sender: Sender;
  queue: Queue;
  restartWeb(): Proc;
  restartWorker(i: number): Proc;
  mark(what: string): void;
}

export interface Scenario {
  name: string;
  /** How long the fault lasts (the stream goes on at least 3 s past the heal). */
  faultS: number;
  inject(ctx: Ctx): Promise<void>;
}

export const SCENARIOS: Scenario[] = [
  {
    name: "worker-kill",
    faultS: 3,
    async inject(c) {
      const active = await fillBatches(c);
      await signal(c.workers[0]!, "SIGKILL");
      c.mark(`burst of ${Math.round(RATE * 3)}; ${active} jobs active; worker 0 SIGKILL`);
      await sleep(3000);
      c.restartWorker(0);
      c.mark("worker 0 restarted");
    },
  },
  {
    name: "web-kill",
    faultS: 3,
    async inject(c) {
      await signal(c.web, "SIGKILL");
      c.mark("web SIGKILL");
      await sleep(3000);
      const web = c.restartWeb();
      c.mark("web restarted");
      const ms = await waitHttpOk(web, `http://127.0.0.1:${c.webPort}/readyz`, 30_000).catch(() => NaN);
      c.mark(`web ready after ${(ms / 1000).toFixed(1)} s`);
    },
  },
  {
    name: "redis-kill",
    faultS: 3,
    async inject(c) {
      await c.redis.kill();
      c.mark("redis SIGKILL");
      await sleep(3000);
      const ms = await c.redis.restart();
      c.mark(`redis restarted (AOF loaded, answering after ${(ms / 1000).toFixed(1)} s)`);
    },
  },
  {
    name: "redis-hang",
    faultS: 5,
    async inject(c) {
      c.redis.hang();
      c.mark("redis SIGSTOP");
      await sleep(5000);
      c.redis.resume();
      c.mark("redis SIGCONT");
    },
  },
  {
    name: "pg-refuse",
    faultS: PG_DOWN_S,
    async inject(c) {
      const open = c.proxy.stats.opened;
      await c.proxy.refuse();
      c.mark(`postgres refusing (${c.proxy.stats.reset} connections reset, ${open} opened so far)`);
      await sleep(Math.min(5000, (PG_DOWN_S * 1000) / 2));
      // The receivers need Redis only; does the web process still say it is ready?
      const ready = await fetch(`http://127.0.0.1:${c.webPort}/readyz`, {
        signal: AbortSignal.timeout(3000),
      }).then(
        async (r) => `${r.status} ${await r.text()}`,
        (e: Error) => e.message,
      );
      c.mark(`web /readyz → ${ready}`);
      await sleep(PG_DOWN_S * 1000 - Math.min(5000, (PG_DOWN_S * 1000) / 2));
      await c.proxy.accept();
      c.mark("postgres accepting");
    },
  },
  {
    name: "worker-sigterm",
    faultS: 3,
    async inject(c) {
      const active = await fillBatches(c);
      c.mark(`burst of ${Math.round(RATE * 3)}; ${active} jobs active; worker 0 SIGTERM`);
      const { ms, killed } = await signal(c.workers[0]!, "SIGTERM", 30_000);
      const exit = c.workers[0]!.exit;
      c.mark(
        `worker 0 exited after ${(ms / 1000).toFixed(1)} s ` +
          `(${killed ? "SIGKILLed after 30 s" : `code ${exit?.code ?? exit?.signal}`})`,
      );
      await sleep(3000);
      c.restartWorker(0);
      c.mark("worker 0 restarted");
    },
  },
];

/**
 * A burst of 3 s worth of deliveries at once, then waits (up to 5 s) until at least 300 jobs are
 * active, so that both workers hold full batches (of up to 200) when the fault comes.
 */
async function fillBatches(c: Ctx): Promise<number> {
  c.sender.burst(Math.round(RATE * 3));
  let active = 0;
  for (const until = Date.now() + 5000; Date.now() < until; await sleep(20)) {
    active = (await c.queue.getJobCounts("active")).active ?? 0;
    if (active >= 300) break;
  }
  return active;
}
