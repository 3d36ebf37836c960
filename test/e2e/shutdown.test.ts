import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { SECRETS, SECRETS_KEYS, testPrisma } from "../helpers/service.js";
import { deployRequest, post } from "../../kit/sign.js";

describe("graceful shutdown", () => {
  it("on SIGTERM stops accepting, finishes in-flight work, exits 0 and loses nothing acknowledged", async () => {
    const prefix = `${inject("redisPrefix")}-${randomBytes(3).toString("hex")}`;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        ...process.env,
        PORT: "0",
        DATABASE_URL: inject("databaseUrl"),
        REDIS_URL: inject("redisUrl"),
        REDIS_PREFIX: prefix,
        DEPLOY_WEBHOOK_SECRET: SECRETS.deploy[0]!,
        // The run's schema holds other files' sealed subscriptions: a start that cannot open them stops.
        SECRETS_KEYS: SECRETS_KEYS.join(","),
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout! });
    let port = 0;
    for await (const line of lines) {
      const log = JSON.parse(line);
      if (log.msg === "switchyard started") {
        port = log.port;
        break;
      }
    }
    const accepted: string[] = [];
    for (let i = 0; i < 40; i++) {
      const body = {
        id: `shutdown-${prefix}-${i}`,
        repository: "acme/web",
        environment: "staging",
        status: "succeeded",
        sha: "e".repeat(40),
      };
      const res = await post(`http://127.0.0.1:${port}/webhooks/deploy`, deployRequest(body, SECRETS.deploy[0]!));
      expect(res.status).toBe(202);
      accepted.push(res.json.id);
    }
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);

    // Every acknowledged delivery is stored or still queued for the next worker.
    const prisma = testPrisma();
    const connection = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
    const queue = new Queue("ingest", { connection, prefix });
    try {
      const stored = await prisma.event.count({ where: { id: { in: accepted } } });
      const waiting = (await queue.getJobs(["waiting", "prioritized", "active", "delayed"])).filter((j) =>
        accepted.includes(j.id!),
      ).length;
      expect(stored + waiting).toBe(accepted.length);
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
      await prisma.$disconnect();
    }
  });
});
