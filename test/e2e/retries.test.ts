import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Processor } from "../../src/pipeline/processor.js";
import { API_TOKENS, SECRETS, useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { deployRequest, githubRequest, post } from "../../kit/sign.js";
import { FailedJobsSchema, JobRetriedSchema } from "../../src/api/schemas/queue.js";
import { expectAnswer } from "../helpers/answers.js";

const prisma = useTestPrisma();
const attempts = new Map<string, number>();
/** Deploy ids that fail their first two attempts (after storing, as a crash before the ack would). */
const flaky = new Set<string>();
/** Deploy ids that always fail before storing. */
const broken = new Set<string>();

const inject =
  (process: Processor): Processor =>
  async (d) => {
    const id = JSON.parse(d.body).id as string;
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    if (broken.has(id)) throw new Error(`induced failure of ${id}`);
    const result = await process(d);
    if (flaky.has(id) && n <= 2) throw new Error(`induced failure ${n} of ${id}`);
    return result;
  };

// A long linger, so deliveries posted together are written as one batch.
const ctx = useTestService(
  { JOB_ATTEMPTS: "3", JOB_BACKOFF_MS: "20", WORKER_LINGER_MS: "300" },
  { wrapProcessor: inject },
);

const body = (id: string) => ({
  id,
  repository: "acme/web",
  environment: "staging",
  status: "succeeded",
  sha: "c".repeat(40),
});

describe("processing retries", () => {
  it("stores a job that fails twice then succeeds exactly once", async () => {
    const id = `flaky-${randomUUID()}`;
    flaky.add(id);
    const res = await post(`${ctx.url}/webhooks/deploy`, deployRequest(body(id), SECRETS.deploy[0]!));
    expect(res.status).toBe(202);
    await waitFor(async () => (await ctx.service.queue.getJob(res.json.id))?.isCompleted());
    // Read the job again once completed: a copy fetched before completion has the old counters.
    const job = (await ctx.service.queue.getJob(res.json.id))!;
    expect(attempts.get(id)).toBe(3);
    expect(job.attemptsMade).toBe(3);
    expect(await prisma.event.count({ where: { subject: `deploy:generic:${id}` } })).toBe(1);
    expect(await prisma.deployment.count({ where: { deployId: id } })).toBe(1);
  });

  it("keeps a job that exhausts its attempts and lists it as failed", async () => {
    const id = `broken-${randomUUID()}`;
    broken.add(id);
    const res = await post(`${ctx.url}/webhooks/deploy`, deployRequest(body(id), SECRETS.deploy[0]!));
    expect(res.status).toBe(202);
    const failed = await waitFor(async () => {
      const r = await fetch(`${ctx.url}/api/queue/failed`, { headers: { authorization: `Bearer ${API_TOKENS[0]}` } });
      const json = expectAnswer(FailedJobsSchema, await r.json());
      return json.items.find((j) => j.id === res.json.id);
    });
    expect(failed.attemptsMade).toBe(3);
    expect(failed.failedReason).toBe(`induced failure of ${id}`);
    expect(await prisma.event.count({ where: { subject: `deploy:generic:${id}` } })).toBe(0);
    // Once the cause is fixed the kept job is retried and stored.
    broken.delete(id);
    const retry = await fetch(`${ctx.url}/api/queue/failed/${res.json.id}/retry`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKENS[0]}` },
    });
    expect(retry.status).toBe(202);
    expect(expectAnswer(JobRetriedSchema, await retry.json())).toEqual({ id: res.json.id, retried: true });
    await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id } }));
  });

  it("keeps a delivery the database refuses as unprocessable, alone; the rest of its batch is stored", async () => {
    const ids = Array.from({ length: 5 }, () => `batch-${randomUUID()}`);
    // Valid JSON and signed, but its issue number does not fit the integer column.
    const poison = {
      action: "opened",
      issue: {
        number: 30_000_000_000,
        title: "overflow",
        state: "open",
        html_url: "https://github.com/acme/web/issues/1",
        user: { login: "octocat" },
      },
      repository: { full_name: "acme/web", name: "web", owner: { login: "acme" } },
      sender: { login: "octocat" },
    };
    const responses = await Promise.all([
      ...ids.map(async (id) => post(`${ctx.url}/webhooks/deploy`, deployRequest(body(id), SECRETS.deploy[0]!))),
      post(`${ctx.url}/webhooks/github`, await githubRequest("issues", poison, SECRETS.github[0]!)),
    ]);
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    const poisonJob = responses.at(-1)!.json.id as string;
    // contract §8: its verbatim copy is kept with the reason, not left in a failed-jobs list.
    const kept = await waitFor(
      () => prisma.rawDelivery.findFirst({ where: { id: poisonJob, error: { not: null } } }),
      20_000,
    );
    expect(kept.error).toMatch(/out of range/);
    await waitFor(async () => (await ctx.service.queue.getJob(poisonJob))?.isCompleted());
    expect(await prisma.event.count({ where: { id: poisonJob } })).toBe(0);
    for (const id of ids) expect(await prisma.deployment.count({ where: { deployId: id } })).toBe(1);
  });
});
