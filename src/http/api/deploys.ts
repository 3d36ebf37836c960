import Router from "@koa/router";
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { commitOf, isIssueKey, PREFIX } from "../../shared/keys.js";
import { computeDora } from "../../api/dora.js";
import { badRequest, notFound } from "../respond.js";

const DEPLOY_FIELDS = {
  key: true, repository: true, environment: true, sha: true, status: true, url: true,
  startedAt: true, finishedAt: true, previousKey: true, rangeKnown: true,
} as const;

export async function deployChanges(prisma: PrismaClient, key: string) {
  const deploy = await prisma.deploy.findUnique({ where: { key }, select: DEPLOY_FIELDS });
  if (!deploy) return null;
  const previous = deploy.previousKey ? await prisma.deploy.findUnique({ where: { key: deploy.previousKey }, select: DEPLOY_FIELDS }) : null;
  const shipped = await prisma.link.findMany({ where: { fromKey: key, relation: "ships" }, orderBy: { toKey: "asc" } });
  const rollsBack = await prisma.link.findFirst({ where: { fromKey: key, relation: "rolls_back" } });
  const keys = (prefix: string) => shipped.filter((l) => l.toKey.startsWith(prefix)).map((l) => l.toKey);
  const commitKeys = keys(PREFIX.commit);
  const commits = await prisma.commit.findMany({
    where: { OR: commitKeys.map((k) => ({ repository: deploy.repository, sha: commitOf(k)!.sha })) },
  });
  const prs = await prisma.pullRequest.findMany({ where: { key: { in: keys(PREFIX.pr) } }, orderBy: { number: "asc" } });
  const issueLinks = shipped.filter((l) => isIssueKey(l.toKey));
  const issueEntities = await prisma.entity.findMany({ where: { key: { in: issueLinks.map((l) => l.toKey) } } });
  return {
    deploy,
    previous,
    rangeKnown: deploy.rangeKnown,
    rollsBack: rollsBack?.toKey ?? null,
    commits: commitKeys.map((k) => {
      const c = commits.find((x) => k.endsWith(`@${x.sha}`));
      return { key: k, sha: commitOf(k)!.sha, message: c?.message ?? null, authoredAt: c?.authoredAt ?? null };
    }),
    pullRequests: prs.map((p) => ({ key: p.key, number: p.number, title: p.title, mergedAt: p.mergedAt, mergeCommitSha: p.mergeCommitSha })),
    issues: issueLinks.map((l) => {
      const e = issueEntities.find((x) => x.key === l.toKey);
      return { key: l.toKey, title: e?.title ?? null, state: e?.state ?? null, confidence: l.confidence };
    }),
  };
}

const doraQuery = z.object({
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "owner/repo").transform((s) => s.toLowerCase()),
  environment: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

/** GET /api/deploys/:key/changes and /api/metrics/dora (SPEC §6). */
export function deploysApi(prisma: PrismaClient): Router {
  const router = new Router();
  router.get("/deploys/:key/changes", async (ctx) => {
    const changes = await deployChanges(prisma, ctx.params.key!);
    if (!changes) return notFound(ctx, "deploy");
    ctx.body = changes;
  });
  router.get("/metrics/dora", async (ctx) => {
    const q = doraQuery.safeParse(ctx.query);
    if (!q.success) return badRequest(ctx, q.error);
    const until = q.data.until ? new Date(q.data.until) : new Date();
    const since = q.data.since ? new Date(q.data.since) : new Date(until.getTime() - 30 * 86_400_000);
    if (since >= until) return badRequest(ctx, ["since: must be before until"]);
    ctx.body = await computeDora(prisma, { repository: q.data.repository, environment: q.data.environment, since, until });
  });
  return router;
}
