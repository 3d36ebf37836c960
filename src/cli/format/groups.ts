import { duration } from "./duration.js";
import { fields, table } from "./table.js";
import { clip, when } from "./values.js";
import type { Group, GroupList, LeadTimeReport, RepositoryList } from "../../api/schemas/answers.js";
import { STAGES } from "../../api/schemas/lead-time.js";

/** `switchyard groups`: one a line, what each holds. */
export const groupsTable = (a: GroupList): string =>
  table(
    ["name", "repositories", "services", "description"],
    a.items.map((g) => [g.name, g.repositories.join(", "), g.services.join(", "), clip(g.description, 40)]),
    "no groups: add one with `switchyard groups put NAME --repo GLOB`",
  );

/** `switchyard groups get|put`: one group, field by field. */
export const groupView = (g: Group): string =>
  fields([
    ["group", g.name],
    ["description", g.description],
    ["repositories", g.repositories.join(", ") || "—"],
    ["services", g.services.join(", ") || "—"],
    ["updated", when(g.updatedAt)],
  ]);

/** `switchyard repositories`: each known repository, its counts and groups. */
export const repositoriesTable = (a: RepositoryList): string =>
  table(
    ["repository", "deploys", "pull requests", "last deploy", "groups"],
    a.items.map((r) => [r.repository, r.deploys, r.pullRequests, when(r.lastDeployAt), r.groups.join(", ")]),
    "no repositories yet: none has deploys or pull requests",
  );

/** `switchyard lead-time`: what was counted, each stage's median and p90, per repository when several. */
export function leadTimeReport(r: LeadTimeReport): string {
  const scope = r.group ? `group ${r.group} (${r.repositories.join(", ") || "no repositories"})` : r.repository;
  const where = r.environment
    ? `environment ${r.environment}`
    : `production (${(r.productionEnvironments ?? []).join(", ")})`;
  const stageRows = (s: LeadTimeReport["stages"]) =>
    STAGES.map((stage) => [stage, duration(s[stage].medianSeconds), duration(s[stage].p90Seconds), s[stage].count]);
  const parts = [
    `${scope} · ${where}`,
    `${when(r.since)} → ${when(r.until)} · ${r.merged} merged pull request${r.merged === 1 ? "" : "s"}`,
    "",
    table(["stage", "median", "p90", "PRs"], stageRows(r.stages)),
  ];
  if (r.byRepository.length > 1) {
    parts.push(
      "",
      table(
        ["repository", "merged", ...STAGES.map((s) => `${s} median`)],
        r.byRepository.map((x) => [x.repository, x.merged, ...STAGES.map((s) => duration(x.stages[s].medianSeconds))]),
      ),
    );
  }
  return parts.join("\n");
}
