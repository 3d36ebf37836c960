#!/usr/bin/env node
// `switchyard`: the command line for analysts and rule authors. Commands that read or change the
// graph talk to a running instance's API (SWITCHYARD_URL, SWITCHYARD_TOKEN); `replay` works on the
// database directly (DATABASE_URL), as an operator's tool.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { loadConfig } from "./shared/config.js";
import { createRuleBook } from "./pipeline/rule-book.js";
import { PLATFORMS, type Platform } from "./shared/event.js";
import { openDatabase } from "./store/prisma.js";
import { reconcileConfigured, reconcileOnce } from "./ops/github-reconcile.js";
import { replayDeliveries } from "./pipeline/replay.js";

const base = (process.env.SWITCHYARD_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const token = process.env.SWITCHYARD_TOKEN ?? process.env.API_TOKENS?.split(",")[0]?.trim() ?? "";

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = res.status === 204 ? { ok: true } : await res.json();
  if (!res.ok) throw new Error(`${res.status} ${(json as { error?: string }).error ?? res.statusText}`);
  return json;
}

const readJson = (file: string) => JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8")) as unknown;
const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
const run =
  (fn: (...args: any[]) => Promise<unknown>) =>
  async (...args: any[]) =>
    print(await fn(...args));
const enc = encodeURIComponent;

const program = new Command("switchyard").description("Query and steer a Switchyard instance");

const rules = program.command("rules").description("correlation rules");
rules.command("list").action(run(() => api("GET", "/rules")));
rules
  .command("add <file>")
  .description("add a custom rule from a JSON file (- for stdin)")
  .action(run((file: string) => api("POST", "/rules", readJson(file))));
rules
  .command("test <rule-file> <event-file>")
  .description("dry run: the links a rule would make from an event")
  .action(
    run((rule: string, event: string) => api("POST", "/rules/test", { rule: readJson(rule), event: readJson(event) })),
  );
rules.command("disable <name>").action(run((name: string) => api("PUT", `/rules/${enc(name)}`, { enabled: false })));
rules.command("enable <name>").action(run((name: string) => api("PUT", `/rules/${enc(name)}`, { enabled: true })));
rules
  .command("backfill <name>")
  .description("re-apply a rule to stored history")
  .option("--wait", "wait for the job and print its result")
  .action(
    run(async (name: string, opts: { wait?: boolean }) => {
      const { job } = (await api("POST", `/rules/${enc(name)}/backfill`)) as { job: string };
      if (!opts.wait) return { job };
      for (;;) {
        const status = (await api("GET", `/jobs/${enc(job)}`)) as { state: string };
        if (status.state === "completed" || status.state === "failed") return status;
        await new Promise((r) => setTimeout(r, 250));
      }
    }),
  );

program
  .command("entity <key>")
  .option("--depth <n>", "follow links transitively", "1")
  .action(run((key: string, opts: { depth: string }) => api("GET", `/entities/${enc(key)}?depth=${enc(opts.depth)}`)));

program
  .command("deploy")
  .command("changes <key>")
  .description("what a deploy shipped")
  .action(run((key: string) => api("GET", `/deploys/${enc(key)}/changes`)));

program
  .command("dora")
  .requiredOption("--repository <owner/repo>")
  .option("--environment <name>")
  .option("--since <iso>")
  .option("--until <iso>")
  .option("--bucket <day|week|month>", "add the four keys per bucket (trend series)")
  .action(
    run((opts: Record<string, string | undefined>) => {
      const q = new URLSearchParams(Object.entries(opts).filter((e): e is [string, string] => e[1] !== undefined));
      return api("GET", `/metrics/dora?${q}`);
    }),
  );

program
  .command("replay")
  .description("re-process stored raw deliveries (idempotent); uses DATABASE_URL")
  .option("--platform <platform>", PLATFORMS.join("|"))
  .option("--since <iso>", "received at or after")
  .option("--limit <n>")
  .option("--delivery <id...>", "only these deliveries (raw delivery ids), e.g. unprocessable ones")
  .action(
    run(async (opts: { platform?: string; since?: string; limit?: string; delivery?: string[] }) => {
      if (opts.platform && !PLATFORMS.includes(opts.platform as Platform))
        throw new Error(`--platform must be one of ${PLATFORMS.join(", ")}`);
      const db = openDatabase(loadConfig().DATABASE_URL);
      try {
        return await replayDeliveries(db, await createRuleBook(db.prisma).current(), {
          ids: opts.delivery,
          platform: opts.platform as Platform | undefined,
          since: opts.since ? new Date(opts.since) : undefined,
          limit: opts.limit ? Number(opts.limit) : undefined,
        });
      } finally {
        await db.close();
      }
    }),
  );

program
  .command("reconcile")
  .command("github")
  .description(
    "redeliver GitHub's failed deliveries that were never stored (GITHUB_TOKEN or App, GITHUB_RECONCILE_HOOKS)",
  )
  .option("--since <iso>", "only deliveries first attempted at or after")
  .option("--dry-run", "list what would be redelivered, redeliver nothing")
  .action(
    run(async (opts: { since?: string; dryRun?: boolean }) => {
      const config = loadConfig();
      if (!reconcileConfigured(config)) {
        throw new Error("set GITHUB_TOKEN (or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY) and GITHUB_RECONCILE_HOOKS");
      }
      const since = opts.since ? new Date(opts.since) : undefined;
      if (since && Number.isNaN(since.getTime())) throw new Error("--since must be an ISO-8601 date");
      const db = openDatabase(config.DATABASE_URL, 2);
      try {
        return await reconcileOnce(db.prisma, config, { since, dryRun: opts.dryRun });
      } finally {
        await db.close();
      }
    }),
  );

program.parseAsync().catch((err: Error) => {
  console.error(`switchyard: ${err.message}`);
  process.exit(1);
});
