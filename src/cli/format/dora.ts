import { duration } from "./duration.js";
import { aligned, table } from "./table.js";
import { percent, when } from "./values.js";
import type { DoraFigures, DoraReport } from "../../api/schemas/answers.js";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** DORA 2023's level after a figure, when the answer has one. */
const level = (band: string | null | undefined) => (band ? ` · ${band}` : "");

/**
 * The five metrics under DORA's current names, one a line: name, the headline figure right-aligned
 * under the others, the detail (and the 2023 level, in a whole report).
 */
export function doraFigures(f: DoraFigures, bands?: DoraReport["bands"]): string {
  const { deploymentFrequency: df, leadTimeForChanges: lt, changeFailureRate: cfr, timeToRestore: ttr } = f;
  const rw = f.deploymentReworkRate;
  return aligned(
    [
      [
        "Deployment frequency",
        `${df.perDay.toFixed(2)}/day`,
        plural(df.deploys, "successful deploy") + level(bands?.deploymentFrequency),
      ],
      [
        "Change lead time",
        duration(lt.medianSeconds),
        `median · p90 ${duration(lt.p90Seconds)} · ${plural(lt.changes, "change")}${level(bands?.leadTimeForChanges)}`,
      ],
      [
        "Change fail rate",
        percent(cfr.rate),
        `${cfr.failures} of ${plural(cfr.deployments, "deployment")}${level(bands?.changeFailureRate)}`,
      ],
      [
        "Failed deployment recovery time",
        duration(ttr.medianSeconds),
        `median · ${plural(ttr.restored, "recovery", "recoveries")}${level(bands?.timeToRestore)}`,
      ],
      ["Deployment rework rate", percent(rw.rate), `${rw.reworks} of ${plural(rw.deployments, "deployment")}`],
    ],
    ["left", "right", "left"],
  );
}

/** `switchyard dora`: what was counted, the five metrics, and the series per bucket when asked for. */
export function doraReport(d: DoraReport): string {
  const scope = d.environment
    ? `environment ${d.environment}`
    : `production (${(d.productionEnvironments ?? []).join(", ")}): ${d.environments.join(", ") || "no deploys"}`;
  const what = d.group ? `group ${d.group} (${d.repositories.join(", ") || "no deploys"})` : d.repository;
  const parts = [`${what} · ${scope}`, `${when(d.since)} → ${when(d.until)}`, "", doraFigures(d, d.bands)];
  if (d.series) {
    parts.push(
      "",
      table(
        ["start", "deploys", "per day", "lead time", "fail rate", "recovery", "rework"],
        d.series.map((s) => [
          when(s.start),
          s.deploymentFrequency.deploys,
          s.deploymentFrequency.perDay.toFixed(2),
          duration(s.leadTimeForChanges.medianSeconds),
          percent(s.changeFailureRate.rate),
          duration(s.timeToRestore.medianSeconds),
          percent(s.deploymentReworkRate.rate),
        ]),
      ),
    );
  }
  return parts.join("\n");
}
