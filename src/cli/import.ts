import type { Command } from "commander";
import type { ImportStarted } from "../api/schemas/answers.js";
import type { Api } from "./api.js";
import { importView, type ImportJobAnswer } from "./format/results.js";
import { progressCounter } from "./progress.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `switchyard import github|linear` (docs/cli.md): POST /api/imports, then (unless --no-wait) the job
 * followed with a progress bar over its resources on a terminal, and a summary.
 */
export function importCommands(program: Command, api: Api, show: <T>(answer: T, human: (a: T) => string) => void) {
  async function run(label: string, body: Record<string, unknown>, wait: boolean): Promise<void> {
    const queued = await api<ImportStarted>("POST", "/imports", body);
    if (!wait) return show(queued, (a) => `import of ${label} queued as job ${a.job}`);
    const counter = progressCounter(`import ${label}`);
    let job: ImportJobAnswer;
    try {
      for (;;) {
        job = await api<ImportJobAnswer>("GET", `/jobs/${encodeURIComponent(queued.job)}`);
        const p = typeof job.progress === "object" ? job.progress : undefined;
        if (p?.resource) counter.update(p);
        if (job.state === "completed" || job.state === "failed") break;
        await sleep(250);
      }
    } finally {
      counter.stop();
    }
    show(job, importView);
    if (job.state === "failed") throw new Error(`import of ${label} failed: ${job.failedReason ?? "no reason given"}`);
  }

  const since = "how far back: days or hours (90d, 12h) or an ISO-8601 time";
  const imports = program
    .command("import")
    .description("read a platform's history through its API into the graph, as its webhooks would have told it");
  imports
    .command("github")
    .description("a GitHub repository's pull requests, commits, reviews, deployments and issues")
    .requiredOption("--repo <owner/name>", "the repository")
    .option("--since <90d|iso>", since, "90d")
    .option("--no-wait", "print the job id and return at once")
    .action((o: { repo: string; since: string; wait: boolean }) =>
      run(o.repo, { platform: "github", repository: o.repo, since: o.since }, o.wait),
    );
  imports
    .command("linear")
    .description("Linear's issues, of one team or every team")
    .option("--team <KEY>", "a team key (default: every team)")
    .option("--since <30d|iso>", since, "30d")
    .option("--no-wait", "print the job id and return at once")
    .action((o: { team?: string; since: string; wait: boolean }) =>
      run(
        `linear ${o.team ?? "(every team)"}`,
        { platform: "linear", ...(o.team ? { team: o.team } : {}), since: o.since },
        o.wait,
      ),
    );
}
