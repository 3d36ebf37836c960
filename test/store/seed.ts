import { createHash, randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { BUILTIN_RULES, type BuiltinRule } from "../../src/correlate/builtin-rules.js";
import { addScopes } from "../../src/correlate/extract-facts.js";
import type { Facts, MentionFact } from "../../src/correlate/facts.js";
import { commitKey, deployKey, issueKey, linearIssueKey, prKey, repoKey, scope } from "../../src/shared/keys.js";
import { applyFacts } from "../../src/store/graph/apply-facts.js";
import { inTransaction, jsonParam, type Sql } from "../../src/store/sql.js";

/**
 * Hand-built facts (the shapes extract-facts.ts produces) for the graph SQL tests, and a
 * transaction that always rolls back. Every world has its own namespace, so files running side
 * by side on the run's schema never wait on each other's rows.
 */

export interface Item {
  eventId: string;
  at: Date;
  facts: Facts;
  /** The unified event carrying the facts: correlation may read stored events (their ids as evidence). */
  event: { platform: string; type: string; subject: string | null };
}

const ROLLBACK_SENTINEL = new Error("rollback: test transaction");

/** Runs `fn` in a transaction that is rolled back whatever happens: nothing persists. */
export async function rolledBack<T>(pool: pg.Pool, fn: (tx: Sql) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await inTransaction(pool, async (tx) => {
      result = await fn(tx);
      throw ROLLBACK_SENTINEL;
    });
  } catch (err) {
    if (err !== ROLLBACK_SENTINEL) throw err;
  }
  return result as T;
}

const ALL = () => true;

/** Stores the items' raw deliveries and events, as the worker does before it applies their facts. */
export async function storeEventRows(tx: Sql, items: Item[]) {
  const rows = items.map((i) => ({
    id: i.eventId,
    platform: i.event.platform,
    delivery_id: i.eventId,
    received_at: i.at.toISOString(),
    occurred_at: i.at.toISOString(),
    headers: {},
    body: "{}",
    type: i.event.type,
    subject: i.event.subject,
    keys: [],
    priority: "normal",
    payload: {},
  }));
  await tx.execute`
    INSERT INTO raw_deliveries (id, platform, delivery_id, received_at, headers, body, type, priority)
    SELECT id, platform, delivery_id, received_at, headers, body, type, priority
    FROM jsonb_populate_recordset(NULL::raw_deliveries, ${jsonParam(rows)}::jsonb) ON CONFLICT DO NOTHING`;
  await tx.execute`
    INSERT INTO events (id, platform, type, delivery_id, occurred_at, received_at, subject, keys, priority, payload)
    SELECT id, platform, type, delivery_id, occurred_at, received_at, subject, keys, priority, payload
    FROM jsonb_populate_recordset(NULL::events, ${jsonParam(rows)}::jsonb) ON CONFLICT DO NOTHING`;
}

/** Stores and applies items one batch each (as separate jobs would), or all in one batch. */
export async function apply(tx: Sql, items: Item[], oneBatch = false, enabled: (rule: string) => boolean = ALL) {
  for (const batch of oneBatch ? [items] : items.map((i) => [i])) {
    await storeEventRows(tx, batch);
    await applyFacts(tx, batch, enabled);
  }
}

export interface LinkRow {
  from: string;
  to: string;
  relation: string;
  rule: string;
  confidence: number;
  evidence: string[];
}

const order = (l: LinkRow) => [l.from, l.to, l.relation, l.rule].join("\u0000");

/** Links touching the namespace, sorted by (from, to, relation, rule) in code-unit order; evidence as stored. */
export async function linksOf(tx: Sql, ns: string): Promise<LinkRow[]> {
  const rows = await tx.query<LinkRow[]>`
    SELECT from_key AS "from", to_key AS "to", relation, rule, confidence, evidence FROM links
    WHERE from_key ILIKE ${`%${ns}%`} OR to_key ILIKE ${`%${ns}%`}`;
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** One line per link, evidence included: set equality with readable diffs. */
export const linkLines = (rows: LinkRow[]) =>
  rows.map((l) => `${l.from} -${l.relation}/${l.rule}@${l.confidence}-> ${l.to} [${l.evidence.join(",")}]`).sort();

export const HOUR = 3_600_000;
export const T0 = Date.parse("2026-03-02T09:00:00Z");
export const hours = (h: number) => new Date(T0 + h * HOUR);

type Mention = Pick<MentionFact, "kind" | "target"> & { rule: BuiltinRule; relation?: string };

/** A namespace's repository, team and builders of facts. */
export function world(
  ns = `w${randomBytes(4)
    .toString("hex")
    .replace(/\d/g, (d) => "abcdefghij"[Number(d)]!)}`,
) {
  const repo = `acme/${ns}`;
  const team = ns.toUpperCase().slice(0, 7);
  const sha = (seed: string) => createHash("sha1").update(`${ns}:${seed}`).digest("hex");
  const commit = (s: string) => commitKey(repo, s);
  const pr = (n: number) => prKey(repo, n);
  const issue = (n: number) => issueKey(repo, n);
  const linear = (n: number) => linearIssueKey(`${team}-${n}`);
  const deploy = (id: string) => deployKey("generic", `${ns}-${id}`);
  const deployUrl = (id: string) => `https://ci.example.com/${ns}/${id}`;

  const empty = (): Facts => ({ scopes: [], sharedScopes: [], entities: [], links: [], mentions: [], linearTeams: [] });
  const link = (
    f: Facts,
    from: string,
    to: string,
    rule: BuiltinRule,
    relation: string = BUILTIN_RULES[rule].relation,
  ) => f.links.push({ from, to, relation, rule, confidence: BUILTIN_RULES[rule].confidence });
  /** Mentions added, then the scopes extract-facts.ts derives (addScopes). */
  const finish = (f: Facts, at: Date, event: Item["event"], mentionsFrom?: [string, Mention[]]): Item => {
    for (const m of mentionsFrom?.[1] ?? []) {
      const { confidence } = BUILTIN_RULES[m.rule];
      f.mentions.push({
        from: mentionsFrom![0],
        kind: m.kind,
        target: m.target,
        rule: m.rule,
        confidence,
        relation: m.relation ?? BUILTIN_RULES[m.rule].relation,
      });
    }
    return { eventId: randomUUID(), at, facts: addScopes(f), event };
  };

  return {
    ns,
    repo,
    team,
    sha,
    commit,
    pr,
    issue,
    linear,
    deploy,
    deployUrl,

    pullRequest(
      n: number,
      o: {
        at: Date;
        title?: string;
        headRef?: string | null;
        baseRef?: string;
        headSha?: string | null;
        mergeSha?: string | null;
        createdAt?: Date;
        author?: string;
        firstReviewAt?: Date;
        closes?: number[];
        mentions?: Mention[];
      },
    ): Item {
      const f = empty();
      const key = pr(n);
      const title = o.title ?? `Change ${n}`;
      f.scopes.push(scope("repo", repo));
      f.entities.push({ key, kind: "github.pr", title, state: o.mergeSha ? "merged" : "open" });
      if (o.headSha) link(f, key, commit(o.headSha), "pr-head-commit");
      if (o.mergeSha) link(f, key, commit(o.mergeSha), "pr-merge-commit");
      for (const i of o.closes ?? []) link(f, key, issue(i), "github-closing-keyword");
      f.pullRequest = {
        key,
        repository: repo,
        number: n,
        title,
        headRef: o.headRef ?? null,
        baseRef: o.baseRef ?? "main",
        headSha: o.headSha ?? null,
        mergeCommitSha: o.mergeSha ?? null,
        merged: Boolean(o.mergeSha),
        createdAt: o.createdAt ?? o.at,
        mergedAt: o.mergeSha ? o.at : null,
        updatedAt: o.at,
        revertsByTitle: /^Revert "(.+)"$/.exec(title)?.[1] ?? null,
        author: o.author ?? null,
        firstReviewAt: o.firstReviewAt ?? null,
      };
      const type = `github.pull_request.${o.mergeSha ? "closed" : "opened"}`;
      return finish(f, o.at, { platform: "github", type, subject: key }, [key, o.mentions ?? []]);
    },

    /** A push: each commit's parents as given (pushFacts derives them from `before` and the list). */
    push(
      branch: string | null,
      commits: Array<{ sha: string; parents?: string[]; message?: string; authoredAt?: Date; mentions?: Mention[] }>,
      at: Date,
    ): Item {
      const f = empty();
      f.scopes.push(scope("repo", repo));
      for (const c of commits) {
        f.entities.push({ key: commit(c.sha), kind: "github.commit", title: c.message ?? null });
        for (const m of c.mentions ?? []) {
          const { confidence } = BUILTIN_RULES[m.rule];
          f.mentions.push({
            from: commit(c.sha),
            kind: m.kind,
            target: m.target,
            rule: m.rule,
            confidence,
            relation: m.relation ?? BUILTIN_RULES[m.rule].relation,
          });
        }
      }
      f.push = {
        repository: repo,
        branch,
        commits: commits.map((c) => ({
          sha: c.sha,
          parents: c.parents ?? [],
          message: c.message ?? null,
          authoredAt: c.authoredAt ?? at,
        })),
      };
      return finish(f, at, { platform: "github", type: "github.push", subject: repoKey(repo) });
    },

    deployEvent(
      id: string,
      o: { env: string; sha: string; at: Date; status?: string; service?: string; url?: boolean },
    ): Item {
      const f = empty();
      const key = deploy(id);
      const status = o.status ?? "succeeded";
      const url = o.url ? deployUrl(id) : null;
      f.scopes.push(scope("repo", repo));
      if (url) f.scopes.push(scope("url", url));
      f.entities.push({ key, kind: "deploy", title: `${repo} → ${o.env}`, state: status, url });
      link(f, key, commit(o.sha), "deploy-sha");
      const terminal = ["succeeded", "failed", "cancelled", "inactive"].includes(status);
      f.deploy = {
        key,
        repository: repo,
        service: o.service ?? repo,
        environment: o.env,
        sha: o.sha,
        status,
        url,
        startedAt: new Date(o.at.getTime() - 60_000),
        finishedAt: terminal ? o.at : null,
        statusAt: o.at,
      };
      return finish(f, o.at, { platform: "deploy", type: `deploy.${status}`, subject: key });
    },

    /** A Linear Issue webhook: its team appears, the issue id is bound to its identifier. */
    linearIssue(n: number, id: string, at: Date, title = `Issue ${n}`): Item {
      const f = empty();
      f.linearTeams.push(team);
      f.linearIssue = { id, identifier: `${team}-${n}` };
      f.entities.push({ key: linear(n), kind: "linear.issue", title, state: "Todo" });
      return finish(f, at, { platform: "linear", type: "linear.issue.create", subject: linear(n) });
    },

    /** A Slack message whose mentions wait for their target (identifier, deploy URL). */
    slack(ts: string, at: Date, mentions: Mention[]): Item {
      const f = empty();
      const key = `slack:message:C${ns}/${ts}`;
      f.entities.push({ key, kind: "slack.message", title: "…" });
      return finish(f, at, { platform: "slack", type: "slack.message", subject: key }, [key, mentions]);
    },

    /** A GitHub issue webhook: the issue's entity (title, state). */
    issueEvent(n: number, at: Date, title: string, state = "open"): Item {
      const f = empty();
      f.scopes.push(scope("repo", repo));
      f.entities.push({ key: issue(n), kind: "github.issue", title, state });
      return finish(f, at, { platform: "github", type: "github.issues.opened", subject: issue(n) });
    },

    /** A Linear Attachment webhook that names the issue by id only. */
    attachment(prNumber: number, issueId: string, at: Date): Item {
      const event = { platform: "linear", type: "linear.attachment.create", subject: null };
      return finish(empty(), at, event, [
        pr(prNumber),
        [{ kind: "linear_issue_id", target: issueId, rule: "linear-attachment" }],
      ]);
    },
  };
}

export type World = ReturnType<typeof world>;

/**
 * main: Z ← A ← B ← C. PR #10 merged as A; PR #1 (branch `feature`, head F) merged as C, closes
 * GitHub issue #5 and Linear <team>-1 (and names it in its title); commit B references <team>-2.
 */
export function history(w: World) {
  const [Z, A, B, C, F] = ["Z", "A", "B", "C", "F"].map(w.sha) as [string, string, string, string, string];
  const items = {
    team: w.linearIssue(1, randomUUID(), hours(0)),
    push1: w.push(
      "main",
      [
        { sha: Z, message: "Initial" },
        { sha: A, parents: [Z], message: "Early change (#10)" },
      ],
      hours(1),
    ),
    pr10: w.pullRequest(10, { at: hours(1), headRef: "early", mergeSha: A }),
    push2: w.push(
      "main",
      [
        {
          sha: B,
          parents: [A],
          message: `Refs ${w.team}-2`,
          mentions: [
            { kind: "linear_identifier", target: `${w.team}-2`, rule: "linear-magic-word", relation: "references" },
          ],
        },
        { sha: C, parents: [B], message: `${w.team}-1 retry checkout (#1)` },
      ],
      hours(3),
    ),
    pr1: w.pullRequest(1, {
      at: hours(3),
      title: `${w.team}-1 retry checkout`,
      headRef: "feature",
      headSha: F,
      mergeSha: C,
      closes: [5],
      mentions: [
        { kind: "linear_identifier", target: `${w.team}-1`, rule: "linear-magic-word", relation: "closes" },
        { kind: "linear_identifier", target: `${w.team}-1`, rule: "linear-id-in-title" },
      ],
    }),
  };
  return { Z, A, B, C, F, items };
}
