import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_TOKENS, SECRETS, SECRETS_KEYS, isolatedDatabase, testPrisma, waitFor } from "../helpers/service.js";
import { deployRequest, post } from "../../kit/sign.js";
import { startReceiver } from "../helpers/receiver.js";

/**
 * contract §9: a message committed for a subscription is delivered even when the worker sending it is
 * killed (kill -9) mid-attempt: another process takes the attempt over, with the same webhook-id.
 */
const prefix = `${inject("redisPrefix")}-${randomBytes(3).toString("hex")}`;
const children: ChildProcess[] = [];
// A schema of its own: the relay that numbers a row queues its messages on its own Redis prefix.
let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let prisma: ReturnType<typeof testPrisma>;
beforeAll(async () => {
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await prisma.$disconnect();
  await db.drop();
});

async function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      ...process.env,
      PORT: "0",
      DATABASE_URL: db.url,
      REDIS_URL: inject("redisUrl"),
      REDIS_PREFIX: prefix,
      DEPLOY_WEBHOOK_SECRET: SECRETS.deploy[0]!,
      API_TOKENS: API_TOKENS[0]!,
      SECRETS_KEYS: SECRETS_KEYS.join(","),
      OUTBOUND_ALLOW_PRIVATE: "true",
      // A killed worker's attempt is taken over after about two seconds.
      OUTBOUND_TIMEOUT_MS: "1000",
      JOB_LOCK_MS: "2000",
      JOB_STALLED_CHECK_MS: "500",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  for await (const line of createInterface({ input: child.stdout! })) {
    const log = JSON.parse(line);
    if (log.msg === "switchyard started") return { child, url: `http://127.0.0.1:${log.port}` };
  }
  throw new Error("the service did not start");
}

describe("a worker killed mid-send", () => {
  it("still delivers the message, once more with the same webhook-id", async () => {
    // The first request is held unanswered: the worker is killed while it waits.
    const receiver = await startReceiver((n) => (n === 0 ? "hold" : { status: 204 }));
    const first = await startChild();
    const name = `crash-${randomBytes(3).toString("hex")}`;
    const repository = `acme/${name}`;
    const created = await fetch(`${first.url}/api/subscriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
      body: JSON.stringify({
        name,
        kind: "webhook",
        url: receiver.url(),
        types: ["deploy.succeeded"],
        where: { repository },
      }),
    });
    expect(created.status).toBe(201);
    const body = {
      id: `crash-${prefix}`,
      repository,
      environment: "staging",
      status: "succeeded",
      sha: "c".repeat(40),
    };
    expect((await post(`${first.url}/webhooks/deploy`, deployRequest(body, SECRETS.deploy[0]!))).status).toBe(202);

    await waitFor(async () => receiver.received.length > 0, 20_000);
    first.child.kill("SIGKILL");
    await once(first.child, "exit");

    await startChild();
    const subscription = await prisma.subscription.findUniqueOrThrow({ where: { name } });
    const message = await waitFor(
      () => prisma.outboundMessage.findFirst({ where: { subscriptionId: subscription.id, status: "succeeded" } }),
      30_000,
    );
    expect(await prisma.outboundMessage.count({ where: { subscriptionId: subscription.id } })).toBe(1);
    expect(message.type).toBe("deploy.succeeded");
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids)).toEqual(new Set([message.id]));
    await receiver.close();
  }, 60_000);
});
