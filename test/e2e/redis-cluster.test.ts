import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysOf } from "../../src/queue/redis.js";
import { deployRequest, githubRequest, post, type SignedRequest } from "../../kit/sign.js";
import { startRedisCluster, type RedisClusterHandle } from "../helpers/redis-cluster.js";
import { startReceiver } from "../helpers/receiver.js";
import { openSse, type SseStream } from "../helpers/sse.js";
import { API_TOKENS, SECRETS, isolatedDatabase, startTestService, testPrisma, waitFor } from "../helpers/service.js";

/**
 * The service on a real Redis Cluster (docs/redis-cluster.md): 3 masters with a replica each, the
 * ingest queue split by platform. Receive → store → tell (a webhook subscription and a live
 * stream), deduplication and replays, then failovers of the master serving the deploy queue.
 */

const examples: Array<{ name: string; examples: any[] }> = createRequire(import.meta.url)(
  "@octokit/webhooks-examples/api.github.com/index.json",
);
const pullRequests = examples.find((e) => e.name === "pull_request")!.examples.slice(0, 3);

let cluster: RedisClusterHandle | undefined;
let db: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
let svc: Awaited<ReturnType<typeof startTestService>>;
let prisma: ReturnType<typeof testPrisma>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let sse: SseStream;

const AUTH = { authorization: `Bearer ${API_TOKENS[0]}` };

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
  svc = await startTestService({
    DATABASE_URL: db.url,
    REDIS_CLUSTER_NODES: cluster.nodesEnv,
    QUEUE_SPLIT: "platform",
    OUTBOUND_ALLOW_PRIVATE: "true",
    ENQUEUE_TIMEOUT_MS: "2000",
  });
  receiver = await startReceiver();
  const created = await fetch(`${svc.url}/api/subscriptions`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json" },
    body: JSON.stringify({
      name: "cluster-hook",
      kind: "webhook",
      url: receiver.url("/hook"),
      types: ["*"],
      secret: `whsec_${Buffer.from(randomUUID()).toString("base64")}`,
    }),
  });
  expect(created.status, await created.text()).toBe(201);
  sse = await openSse(`${svc.url}/api/stream`, AUTH);
  await sse.until(() => sse.retry !== undefined);
}, 60_000);

afterAll(async () => {
  sse?.close();
  await svc?.service.close().catch(() => undefined);
  await receiver?.close();
  await prisma?.$disconnect();
  await db?.drop();
  await cluster?.stop();
});

const deploy = () =>
  deployRequest(
    {
      id: `dep-${randomUUID()}`,
      repository: "Acme/Web",
      environment: "production",
      status: "succeeded",
      sha: "c".repeat(40),
      ref: "main",
      service: "web",
    },
    SECRETS.deploy[0]!,
  );

/** Posts like a sender: a 503 (Redis failing over) is retried; the answer that is not. */
async function send(path: string, req: SignedRequest) {
  for (let attempt = 0; ; attempt++) {
    const res = await post(`${svc.url}${path}`, req);
    if (res.status !== 503 || attempt >= 150) return res;
    await sleep(100);
  }
}

const stored = (ids: string[]) =>
  waitFor(async () => (await prisma.event.count({ where: { id: { in: ids } } })) === ids.length, 20_000);

describe("on a Redis Cluster, queues split by platform", () => {
  it("gives each platform's ingest queue its own hash tag, every key of a queue in one slot", async () => {
    const keys = keysOf(svc.config);
    expect(keys.ingestQueues).toContain("ingest-github");
    expect(keys.queuePrefix("ingest-github")).toBe(`${svc.config.REDIS_PREFIX}:{ingest-github}`);
    // Three masters serve the 12 platform queues between them.
    const masters = new Set<number>();
    for (const q of keys.ingestQueues) masters.add((await cluster!.masterOf(`${keys.queuePrefix(q)}:${q}:wait`)).port);
    expect(masters.size).toBeGreaterThan(1);
  });

  it("stores webhooks of two platforms, sends them to a subscription and the live stream", async () => {
    const requests: Array<[string, SignedRequest]> = [
      ...(await Promise.all(
        pullRequests.map(async (p) => ["/webhooks/github", await githubRequest("pull_request", p, SECRETS.github[0]!)]),
      )),
      ["/webhooks/deploy", deploy()],
    ] as Array<[string, SignedRequest]>;
    const answers = await Promise.all(requests.map(([path, req]) => post(`${svc.url}${path}`, req)));
    for (const a of answers) expect(a.status, a.text).toBe(202);
    const ids = answers.map((a) => a.json.id as string);
    await stored(ids);
    // The jobs were on the cluster, under their platform queue's tag.
    const keys = keysOf(svc.config);
    const onCluster = new Cluster(cluster!.nodes);
    try {
      const completed = `${keys.queuePrefix("ingest-github")}:ingest-github:completed`;
      expect(await onCluster.zscore(completed, ids[0]!)).not.toBeNull();
    } finally {
      onCluster.disconnect();
    }
    // Told: the subscription's webhook and the live stream (published on the cluster's channel).
    await waitFor(async () => ids.every((id) => receiver.received.some((r) => r.body.includes(id))), 20_000);
    await sse.until(() => ids.every((id) => sse.messages.some((m) => m.id === id)), 20_000);

    // The queue's counts, summed over the platform queues, in the API and the metrics.
    const counts = (await (await fetch(`${svc.url}/api/queue`, { headers: AUTH })).json()) as { completed: number };
    expect(counts.completed).toBeGreaterThanOrEqual(ids.length);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_queue_jobs\{state="completed"\} [1-9]/m);
    expect(metrics).toMatch(/^switchyard_queue_oldest_waiting_seconds \d/m);

    // The same delivery again, and its signed bytes under a new delivery id (a replay): duplicates.
    const [, first] = requests[0]!;
    const again = await post(`${svc.url}/webhooks/github`, first);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ id: ids[0], duplicate: true });
    const replay = {
      body: first.body,
      headers: { ...first.headers, "x-github-delivery": randomUUID() },
    };
    const replayed = await post(`${svc.url}/webhooks/github`, replay);
    expect(replayed.status, replayed.text).toBe(200);
    expect(replayed.json).toEqual({ id: ids[0], duplicate: true });
  });

  it("loses no acknowledged delivery in a coordinated failover, and keeps working after a master is killed", async () => {
    const keys = keysOf(svc.config);
    const slotKey = `${keys.queuePrefix("ingest-deploy")}:ingest-deploy:wait`;
    const master = await cluster!.masterOf(slotKey);
    const info = new Redis(master.port, master.host);
    const replication = await info.info("replication");
    info.disconnect();
    const replicaPort = Number(/slave0:ip=[^,]+,port=(\d+)/.exec(replication)![1]);

    // A sender posting one delivery after the other while the replica takes over (CLUSTER FAILOVER:
    // the master stops writes until the replica has all of them).
    const accepted: string[] = [];
    let sending = true;
    const sender = (async () => {
      while (sending) {
        const res = await send("/webhooks/deploy", deploy());
        expect(res.status, res.text).toBe(202);
        accepted.push(res.json.id as string);
      }
    })();
    await sleep(300);
    await cluster!.failover(replicaPort);
    expect((await cluster!.masterOf(slotKey)).port).toBe(replicaPort);
    await sleep(300);
    sending = false;
    await sender;
    expect(accepted.length).toBeGreaterThan(2);
    await stored(accepted);

    // A hard kill of the new master: its replica (the old master) is elected after the node timeout.
    // What it acknowledged in its last moment may not have reached the replica (asynchronous
    // replication): only deliveries acknowledged once the new master serves the slot are asserted.
    await cluster!.kill(replicaPort);
    // Another master's queue (published events') answers at once, without a retry, meanwhile.
    const customKey = `${keys.queuePrefix("ingest-custom")}:ingest-custom:wait`;
    expect((await cluster!.masterOf(customKey)).port).not.toBe(replicaPort);
    const published = await fetch(`${svc.url}/api/events`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ type: "custom.ci.build.finished", source: "ci", subject: "custom:ci:1", data: {} }),
    });
    const publishedBody = (await published.json()) as { id: string };
    expect(published.status, JSON.stringify(publishedBody)).toBe(202);
    const during = await send("/webhooks/deploy", deploy());
    expect(during.status, during.text).toBe(202);
    await waitFor(async () => (await cluster!.masterOf(slotKey)).port === master.port, 20_000);
    const after: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await send("/webhooks/deploy", deploy());
      expect(res.status, res.text).toBe(202);
      after.push(res.json.id as string);
    }
    await stored([...after, publishedBody.id]);
    await sse.until(() => after.every((id) => sse.messages.some((m) => m.id === id)), 20_000);
    // The readiness probe answers on the cluster that lost a node.
    expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
  });
});
