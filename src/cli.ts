#!/usr/bin/env node
// `switchyard`: the command line for analysts, rule authors and operators. Commands that read or
// change the graph talk to a running instance's API (SWITCHYARD_URL, SWITCHYARD_TOKEN); `replay` and
// `reconcile` work on the database directly (DATABASE_URL), as an operator's tools. Output is for
// people (contract §7a); `--json` prints the API's JSON as it came, for scripts.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { apiClient, ApiError } from "./cli/api.js";
import { deployView } from "./cli/format/deploy.js";
import { doraReport } from "./cli/format/dora.js";
import { incidentsTable, incidentView } from "./cli/format/incident.js";
import type {
  BackfillStarted,
  DeployChanges,
  DoraReport,
  IncidentDetail,
  IncidentList,
  Group,
  GroupList,
  LeadTimeReport,
  RepositoryList,
  Rule,
  RuleTest,
} from "./api/schemas/answers.js";
import { groupsTable, groupView, leadTimeReport, repositoriesTable } from "./cli/format/groups.js";
import { entityView, type EntityAnswer } from "./cli/format/entity.js";
import { attemptsTable, deliveriesTable, eventsTable, rulesTable, subscriptionsTable } from "./cli/format/lists.js";
import { forPeople, printable } from "./cli/format/printable.js";
import { createdSubscription, jobView, reconcileView, replayView, type JobAnswer } from "./cli/format/results.js";
import { table } from "./cli/format/table.js";
import { importCommands } from "./cli/import.js";
import { progressBar } from "./cli/progress.js";
import { replay, replayFilter, type ReplayOptions } from "./cli/replay.js";
import { reconcileConfigured, reconcileOnce } from "./ops/github-reconcile.js";
import { parseApiTokens } from "./shared/api-tokens.js";
import { loadConfig } from "./shared/config.js";
import { incidentSettings } from "./pipeline/rule-book.js";
import { PLATFORMS } from "./shared/event.js";
import { openDatabase } from "./store/prisma.js";

const api = apiClient(
  process.env.SWITCHYARD_URL ?? "http://127.0.0.1:3000",
  process.env.SWITCHYARD_TOKEN ?? parseApiTokens(process.env.API_TOKENS).tokens[0]?.secret ?? "",
);

const program = new Command("switchyard")
  .description("Query and steer a Switchyard instance")
  .option("--json", "print the API's JSON as it came (for scripts) instead of tables");

const asJson = () => program.opts<{ json?: boolean }>().json === true;

/**
 * The answer for people, or as JSON with --json. Every human-readable answer goes through here:
 * forPeople strips the control characters an untrusted payload could carry to the terminal.
 */
function show<T>(answer: T, human: (a: T) => string): void {
  console.log(asJson() ? JSON.stringify(answer, null, 2) : forPeople(answer, human));
}

const readJson = (file: string): unknown => {
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file === "-" ? "stdin" : file}: not JSON (${(err as Error).message})`, { cause: err });
  }
};
const enc = encodeURIComponent;
const query = (opts: Record<string, string | undefined>) => {
  const q = new URLSearchParams(Object.entries(opts).filter((e): e is [string, string] => e[1] !== undefined));
  return q.size ? `?${q}` : "";
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── rules (contract §7) ──────────────────────────────────────────────────────────────────────────────
type RuleAnswer = Pick<Rule, "name" | "enabled"> & { version?: number };
const ruleLine = (verb: string) => (r: RuleAnswer) =>
  `rule ${r.name} ${verb}${r.version ? ` (version ${r.version})` : ""}: ${r.enabled ? "enabled" : "disabled"}`;

const rules = program.command("rules").description("correlation rules");
rules
  .command("list")
  .description("built-in and custom rules")
  .action(async () => show(await api<Parameters<typeof rulesTable>[0]>("GET", "/rules"), rulesTable));
rules
  .command("add <file>")
  .description("add a custom rule from a JSON file (- for stdin)")
  .action(async (file: string) => show(await api<RuleAnswer>("POST", "/rules", readJson(file)), ruleLine("added")));
rules
  .command("test <rule-file> <event-file>")
  .description("dry run: the links a rule would make from an event")
  .action(async (rule: string, event: string) => {
    const answer = await api<RuleTest>("POST", "/rules/test", { rule: readJson(rule), event: readJson(event) });
    show(answer, (a) =>
      table(
        ["from", "relation", "to", "confidence"],
        a.links.map((l) => [l.from ?? "(the event's subject)", l.relation, l.to, l.confidence]),
        "no links: the rule does not match this event",
      ),
    );
  });
for (const [verb, enabled] of [
  ["disable", false],
  ["enable", true],
] as const) {
  rules
    .command(`${verb} <name>`)
    .description(`${verb} a rule (built-in or custom)`)
    .action(async (name: string) =>
      show(await api<RuleAnswer>("PUT", `/rules/${enc(name)}`, { enabled }), ruleLine(`${verb}d`)),
    );
}
rules
  .command("backfill <name>")
  .description("re-apply a rule to stored history")
  .option("--wait", "wait for the job (a progress bar on a terminal) and print its result")
  .action(async (name: string, opts: { wait?: boolean }) => {
    const queued = await api<BackfillStarted>("POST", `/rules/${enc(name)}/backfill`);
    if (!opts.wait) return show(queued, (a) => `backfill of ${name} queued as job ${a.job} (--wait to follow it)`);
    const bar = progressBar(`backfill ${name}`);
    let job: JobAnswer;
    try {
      for (;;) {
        job = await api<JobAnswer>("GET", `/jobs/${enc(queued.job)}`);
        const p = typeof job.progress === "object" ? job.progress : undefined;
        if (p?.total !== undefined) bar.update(p.processed ?? 0, p.total);
        if (job.state === "completed" || job.state === "failed") break;
        await sleep(250);
      }
    } finally {
      bar.stop();
    }
    show(job, jobView);
    if (job.state === "failed") throw new Error(`backfill of ${name} failed: ${job.failedReason ?? "no reason given"}`);
  });

// ── history import (docs/import.md) ──────────────────────────────────────────────────────────────────
importCommands(program, api, show);

// ── the graph (contract §6) ──────────────────────────────────────────────────────────────────────────
program
  .command("entity <key>")
  .description("an entity, its links as a tree, its timeline")
  .option("--depth <n>", "follow links transitively", "1")
  .action(async (key: string, opts: { depth: string }) =>
    show(await api<EntityAnswer>("GET", `/entities/${enc(key)}${query({ depth: opts.depth })}`), entityView),
  );

program
  .command("deploy")
  .description("deploys")
  .command("changes <key>")
  .description("what a deploy shipped")
  .action(async (key: string) => show(await api<DeployChanges>("GET", `/deploys/${enc(key)}/changes`), deployView));

program
  .command("dora")
  .description("DORA's five metrics for a repository or a group")
  .option("--repository <owner/repo>")
  .option("--group <name>", "a group's repositories and services instead")
  .option("--environment <name>", "one environment (default: the production ones)")
  .option("--since <iso>")
  .option("--until <iso>")
  .option("--bucket <day|week|month>", "add the metrics per bucket (trend series)")
  .action(async (opts: Record<string, string | undefined>) =>
    show(await api<DoraReport>("GET", `/metrics/dora${query(opts)}`), doraReport),
  );

program
  .command("incidents")
  .description("incidents, the latest opened first, with their most likely cause")
  .option("--status <open|acknowledged|resolved>")
  .option("--source <pagerduty|sentry|github|linear>")
  .option("--service <name>")
  .option("--repository <owner/repo>")
  .option("--since <iso>", "opened at or after")
  .option("--until <iso>", "opened before")
  .option("--limit <n>")
  .action(async (opts: Record<string, string | undefined>) =>
    show(await api<IncidentList>("GET", `/incidents${query(opts)}`), incidentsTable),
  );

program
  .command("incident <key>")
  .description("one incident and its suspect deploys, ranked by evidence")
  .action(async (key: string) =>
    show(await api<IncidentDetail>("GET", `/incidents/${encodeURIComponent(key)}`), incidentView),
  );

program
  .command("lead-time")
  .description("lead time in stages (coding, pickup, review, deploy) of the PRs merged in a window")
  .option("--repository <owner/repo>", "one repository")
  .option("--group <name>", "a group's repositories")
  .option("--environment <name>", "the deploy stage ends in this environment (default: the production ones)")
  .option("--since <iso>")
  .option("--until <iso>")
  .action(async (opts: Record<string, string | undefined>) => {
    if ((opts.repository === undefined) === (opts.group === undefined)) throw new Error("give --repository or --group");
    show(await api<LeadTimeReport>("GET", `/metrics/lead-time${query(opts)}`), leadTimeReport);
  });

// ── groups: teams and services as repository globs and service names ─────────────────────────────────
const groups = program
  .command("groups")
  .description("groups of repositories and services (list them without a subcommand)")
  .action(async () => show(await api<GroupList>("GET", "/groups"), groupsTable));
groups
  .command("list")
  .description("every group (as `switchyard groups`)")
  .action(async () => show(await api<GroupList>("GET", "/groups"), groupsTable));
groups
  .command("get <name>")
  .description("one group")
  .action(async (name: string) => show(await api<Group>("GET", `/groups/${enc(name)}`), groupView));
const collect = (value: string, previous: string[] = []) => [...previous, value];
groups
  .command("put <name>")
  .description("create or replace a group: what it holds is what this command lists")
  .option("--repo <glob>", "a repository glob (acme/*, acme/web); repeat for more", collect)
  .option("--service <name>", "a deployed service's name; repeat for more", collect)
  .option("--description <text>")
  .action(async (name: string, opts: { repo?: string[]; service?: string[]; description?: string }) => {
    const body = { description: opts.description, repositories: opts.repo ?? [], services: opts.service ?? [] };
    show(await api<Group>("PUT", `/groups/${enc(name)}`, body), groupView);
  });
groups
  .command("delete <name>")
  .description("delete a group")
  .action(async (name: string) => show(await api("DELETE", `/groups/${enc(name)}`), () => `group ${name} deleted`));
program
  .command("repositories")
  .description("the repositories with deploys or pull requests, their counts and groups")
  .action(async () => show(await api<RepositoryList>("GET", "/repositories"), repositoriesTable));

program
  .command("events")
  .description("stored events, newest first")
  .option("--platform <platform>", PLATFORMS.join("|"))
  .option("--type <glob>", "e.g. github.pull_request.*")
  .option("--subject <key>")
  .option("--since <iso>")
  .option("--until <iso>")
  .option("--limit <n>")
  .option("--cursor <cursor>", "the next page, as the previous one printed")
  .action(async (opts: Record<string, string | undefined>) =>
    show(await api<Parameters<typeof eventsTable>[0]>("GET", `/events${query(opts)}`), eventsTable),
  );

program
  .command("deliveries")
  .description("stored raw deliveries and their status (contract §8)")
  .option("--status <status>", "stored|unprocessable|pending")
  .option("--platform <platform>", PLATFORMS.join("|"))
  .option("--limit <n>")
  .option("--cursor <id>", "the next page, as the previous one printed")
  .action(async (opts: Record<string, string | undefined>) =>
    show(await api<Parameters<typeof deliveriesTable>[0]>("GET", `/deliveries${query(opts)}`), deliveriesTable),
  );

// ── subscriptions (contract §9) ──────────────────────────────────────────────────────────────────────
const subscriptions = program.command("subscriptions").description("what Switchyard sends, and where");
subscriptions
  .command("list")
  .description("every subscription")
  .action(async () =>
    show(await api<Parameters<typeof subscriptionsTable>[0]>("GET", "/subscriptions"), subscriptionsTable),
  );
subscriptions
  .command("add <file>")
  .description("add a subscription from a JSON file (- for stdin); prints its secret once")
  .action(async (file: string) =>
    show(
      await api<{ name: string; kind: string; secret?: string }>("POST", "/subscriptions", readJson(file)),
      createdSubscription,
    ),
  );
subscriptions
  .command("test <name>")
  .description("send a switchyard.test message")
  .action(async (name: string) =>
    show(
      await api<{ id: string }>("POST", `/subscriptions/${enc(name)}/test`),
      (a) => `test message ${a.id} queued for ${name}; see it with: switchyard subscriptions deliveries ${name}`,
    ),
  );
for (const [verb, enabled] of [
  ["enable", true],
  ["disable", false],
] as const) {
  subscriptions
    .command(`${verb} <name>`)
    .description(
      enabled ? "send to the subscription again (clears why it was disabled)" : "stop sending to the subscription",
    )
    .action(async (name: string) =>
      show(
        await api<{ name: string; enabled: boolean }>("PUT", `/subscriptions/${enc(name)}`, { enabled }),
        (a) => `subscription ${a.name} ${a.enabled ? "enabled" : "disabled"}`,
      ),
    );
}
subscriptions
  .command("delete <name>")
  .description("delete a subscription with its messages")
  .action(async (name: string) =>
    show(await api("DELETE", `/subscriptions/${enc(name)}`), () => `subscription ${name} deleted`),
  );
subscriptions
  .command("deliveries <name>")
  .description("the subscription's messages and their attempts")
  .option("--status <status>", "pending|succeeded|failed|dead")
  .option("--limit <n>")
  .option("--cursor <cursor>")
  .action(async (name: string, opts: Record<string, string | undefined>) =>
    show(
      await api<Parameters<typeof attemptsTable>[0]>("GET", `/subscriptions/${enc(name)}/deliveries${query(opts)}`),
      attemptsTable,
    ),
  );
subscriptions
  .command("retry <name> <id>")
  .description("send a failed or dead message again")
  .action(async (name: string, id: string) =>
    show(
      await api<{ id: string; attempt?: number }>("POST", `/subscriptions/${enc(name)}/deliveries/${enc(id)}/retry`),
      (a) => `message ${a.id} of ${name} is pending again${a.attempt ? ` (attempt ${a.attempt})` : ""}`,
    ),
  );

// ── on the database ──────────────────────────────────────────────────────────────────────────────
program
  .command("replay")
  .description("re-process stored raw deliveries (idempotent); uses DATABASE_URL")
  .option("--platform <platform>", PLATFORMS.join("|"))
  .option("--since <iso>", "received at or after")
  .option("--limit <n>")
  .option("--delivery <id...>", "only these deliveries (raw delivery ids), e.g. unprocessable ones")
  .action(async (opts: ReplayOptions) => {
    const filter = replayFilter(opts);
    const config = loadConfig();
    const db = openDatabase(config.DATABASE_URL);
    try {
      show(await replay(db, filter, progressBar("replay"), incidentSettings(config)), replayView);
    } finally {
      await db.close();
    }
  });

program
  .command("reconcile")
  .description("find and fix what senders failed to deliver")
  .command("github")
  .description(
    "redeliver GitHub's failed deliveries that were never stored (GITHUB_TOKEN or App, GITHUB_RECONCILE_HOOKS)",
  )
  .option("--since <iso>", "only deliveries first attempted at or after")
  .option("--dry-run", "list what would be redelivered, redeliver nothing")
  .action(async (opts: { since?: string; dryRun?: boolean }) => {
    const config = loadConfig();
    if (!reconcileConfigured(config)) {
      throw new Error("set GITHUB_TOKEN (or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY) and GITHUB_RECONCILE_HOOKS");
    }
    const since = opts.since ? new Date(opts.since) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new Error("--since must be an ISO-8601 date");
    const db = openDatabase(config.DATABASE_URL, 2);
    try {
      show(await reconcileOnce(db.prisma, config, { since, dryRun: opts.dryRun }), reconcileView);
    } finally {
      await db.close();
    }
  });

program.parseAsync().catch((err: Error) => {
  // Errors on stderr, never on stdout (scripts read stdout); with --json the API's own answer.
  if (asJson() && err instanceof ApiError) console.error(JSON.stringify(err.body));
  // The message may quote an answer or a payload: printable, like every answer for people.
  console.error(`switchyard: ${printable(err.message)}`);
  process.exit(1);
});
