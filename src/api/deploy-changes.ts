import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import { commitOf, isIssueKey, PREFIX } from "../shared/keys.js";

interface DeployRow {
  key: string;
  repository: string;
  environment: string;
  sha: string;
  status: string;
  url: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  previousKey: string | null;
  rangeKnown: boolean;
}

const DEPLOY_COLUMNS = Prisma.sql`key, repository, environment, sha, status, url, started_at AS "startedAt",
  finished_at AS "finishedAt", previous_key AS "previousKey", range_known AS "rangeKnown"`;

/** `GET /api/deploys/:key/changes` (SPEC §6): what a deploy shipped, and the deploy before it. */
export async function deployChanges(prisma: PrismaClient, key: string) {
  const deploys = await prisma.$queryRaw<Array<DeployRow & { which: "deploy" | "previous" }>>`
    WITH d AS (SELECT ${DEPLOY_COLUMNS} FROM deploys WHERE key = ${key})
    SELECT 'deploy' AS which, * FROM d
    UNION ALL
    SELECT 'previous', ${DEPLOY_COLUMNS} FROM deploys WHERE key = (SELECT "previousKey" FROM d)`;
  const found = deploys.find((d) => d.which === "deploy");
  if (!found) return null;
  const strip = ({ which: _which, ...d }: DeployRow & { which: string }): DeployRow => d;
  const deploy = strip(found);
  const previous = deploys.find((d) => d.which === "previous");
  const links = await prisma.$queryRaw<Array<{ toKey: string; relation: string; confidence: number }>>`
    SELECT to_key AS "toKey", relation, confidence FROM links
    WHERE from_key = ${key} AND relation IN ('ships', 'rolls_back') ORDER BY to_key`;
  const shipped = links.filter((l) => l.relation === "ships");
  const keys = (prefix: string) => shipped.filter((l) => l.toKey.startsWith(prefix)).map((l) => l.toKey);
  const commitKeys = keys(PREFIX.commit);
  const shas = commitKeys.map((k) => commitOf(k)!.sha);
  const issueLinks = shipped.filter((l) => isIssueKey(l.toKey));
  const [commits, prs, issues] = await Promise.all([
    prisma.$queryRaw<Array<{ sha: string; message: string | null; authoredAt: Date | null }>>`
      SELECT sha, message, authored_at AS "authoredAt" FROM commits
      WHERE repository = ${deploy.repository} AND sha = ANY(${shas})`,
    prisma.$queryRaw<
      Array<{ key: string; number: number; title: string; mergedAt: Date | null; mergeCommitSha: string | null }>
    >`
      SELECT key, number, title, merged_at AS "mergedAt", merge_commit_sha AS "mergeCommitSha" FROM pull_requests
      WHERE key = ANY(${keys(PREFIX.pr)}) ORDER BY number`,
    prisma.$queryRaw<Array<{ key: string; title: string | null; state: string | null }>>`
      SELECT key, title, state FROM entities WHERE key = ANY(${issueLinks.map((l) => l.toKey)})`,
  ]);
  return {
    deploy,
    previous: previous ? strip(previous) : null,
    rangeKnown: deploy.rangeKnown,
    rollsBack: links.find((l) => l.relation === "rolls_back")?.toKey ?? null,
    commits: commitKeys.map((k, i) => {
      const c = commits.find((x) => x.sha === shas[i]);
      return { key: k, sha: shas[i], message: c?.message ?? null, authoredAt: c?.authoredAt ?? null };
    }),
    pullRequests: prs,
    issues: issueLinks.map((l) => {
      const e = issues.find((x) => x.key === l.toKey);
      return { key: l.toKey, title: e?.title ?? null, state: e?.state ?? null, confidence: l.confidence };
    }),
  };
}
