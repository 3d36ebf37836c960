import { duration } from "./duration.js";
import { aligned, table } from "./table.js";
import { percent, when } from "./values.js";
import type { DoraFigures, DoraReport } from "../../api/schemas/answers.js";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The four keys, one a line: name, the headline figure right-aligned under the others, the detail. */
export function doraFigures(f: DoraFigures): string {
  const { deploymentFrequency: df, leadTimeForChanges: lt, changeFailureRate: cfr, timeToRestore: ttr } = f;
  return aligned(
    [
      ["Deployment frequency", `${df.perDay.toFixed(2)}/day`, plural(df.deploys, "successful deploy")],
      [
        "Lead time for changes",
        duration(lt.medianSeconds),
        `median · p90 ${duration(lt.p90Seconds)} · ${plural(lt.changes, "change")}`,
      ],
      ["Change failure rate", percent(cfr.rate), `${cfr.failures} of ${plural(cfr.deployments, "deployment")}`],
      ["Time to restore", duration(ttr.medianSeconds), `median · ${plural(ttr.restored, "restore")}`],
    ],
    ["left", "right", "left"],
  );
}

/** `switchyard dora`: what was counted, the four keys, and the series per bucket when asked for. */
export function doraReport(d: DoraReport): string {
  const scope = d.environment
    ? `environment ${d.environment}`
    : `production (${(d.productionEnvironments ?? []).join(", ")}): ${d.environments.join(", ") || "no deploys"}`;
  const parts = [`${d.repository} · ${scope}`, `${when(d.since)} → ${when(d.until)}`, "", doraFigures(d)];
  if (d.series) {
    parts.push(
      "",
      table(
        ["start", "deploys", "per day", "lead time", "failure rate", "restore"],
        d.series.map((s) => [
          when(s.start),
          s.deploymentFrequency.deploys,
          s.deploymentFrequency.perDay.toFixed(2),
          duration(s.leadTimeForChanges.medianSeconds),
          percent(s.changeFailureRate.rate),
          duration(s.timeToRestore.medianSeconds),
        ]),
      ),
    );
  }
  return parts.join("\n");
}
