import { api, type LeadTimeReport, type Period, type Scope, type StageSummary } from "../api";
import { fmtDuration, plural } from "../format";
import { STAGES as STAGE_KEYS, type Stage } from "../../../src/api/schemas/lead-time-stages";
import { useApi } from "../useApi";
import { Empty, ErrorNote, Loading } from "./Status";

type Stages = LeadTimeReport["stages"];

/** What each stage spans, as its column's tooltip says it. */
const HELP: Record<Stage, string> = {
  coding: "first commit → PR opened",
  pickup: "PR opened → first review by someone other than the author",
  review: "first review → merged",
  deploy: "merged → the first counted deploy that shipped it",
};
/** The four stages of a PR's lead time, in the API's order (docs/dora.md "Lead time in stages"). */
const STAGES = STAGE_KEYS.map((key) => ({ key, title: key[0]!.toUpperCase() + key.slice(1), help: HELP[key] }));

/**
 * Where lead time goes: the median (and p90) of each stage over the PRs merged in the window, as a
 * bar of medians and a table, and per repository for a group.
 */
export function LeadTimeStages(props: { scope: Scope; environment: string; period: Period }) {
  const { scope, environment, period } = props;
  const report = useApi(
    () => api.leadTime({ ...scope, environment: environment || undefined, ...period }),
    [scope.group, scope.repository, environment, period.since, period.until],
  );
  const r = report.data;
  return (
    <section className="card" data-testid="lead-time-stages">
      <h2>
        Lead time in stages{" "}
        {r && <span className="muted small">medians over {plural(r.merged, "pull request")} merged</span>}
      </h2>
      <ErrorNote error={report.error} />
      {report.loading && !r && <Loading />}
      {r && r.merged === 0 && <Empty>No pull request merged in this window.</Empty>}
      {r && r.merged > 0 && (
        <>
          <StageBar stages={r.stages} />
          <table className="stages">
            <thead>
              <tr>
                <th>{r.byRepository.length > 1 ? "repository" : ""}</th>
                <th>merged</th>
                {STAGES.map((s) => (
                  <th key={s.key} title={s.help}>
                    {s.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <StageRow label="all" merged={r.merged} stages={r.stages} />
              {r.byRepository.length > 1 &&
                r.byRepository.map((b) => (
                  <StageRow key={b.repository} label={b.repository} merged={b.merged} stages={b.stages} />
                ))}
            </tbody>
          </table>
          <p className="muted small">
            Hover a stage for where it starts and ends; p90 and the PRs whose stage is known below each median.
          </p>
        </>
      )}
    </section>
  );
}

function StageRow({ label, merged, stages }: { label: string; merged: number; stages: Stages }) {
  return (
    <tr data-stages={label}>
      <th>{label}</th>
      <td>{merged}</td>
      {STAGES.map((s) => (
        <td key={s.key} data-stage={s.key}>
          <StageCell s={stages[s.key]} />
        </td>
      ))}
    </tr>
  );
}

function StageCell({ s }: { s: StageSummary }) {
  return (
    <>
      <div className="figure">{fmtDuration(s.medianSeconds)}</div>
      <div className="muted small">
        p90 {fmtDuration(s.p90Seconds)} · {plural(s.count, "PR")}
      </div>
    </>
  );
}

/** The medians side by side, each as wide as its share of their sum. */
function StageBar({ stages }: { stages: Stages }) {
  const total = STAGES.reduce((sum, s) => sum + (stages[s.key].medianSeconds ?? 0), 0);
  if (total <= 0) return null;
  return (
    <div className="stage-bar" role="img" aria-label="median of each stage">
      {STAGES.map((s) => {
        const median = stages[s.key].medianSeconds ?? 0;
        if (median <= 0) return null;
        return (
          <div
            key={s.key}
            className={`stage ${s.key}`}
            style={{ flexGrow: median / total }}
            title={`${s.title}: ${fmtDuration(median)} (${s.help})`}
          >
            {s.title} {fmtDuration(median)}
          </div>
        );
      })}
    </div>
  );
}
