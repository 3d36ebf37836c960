import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, type Bucket, type DoraFigures, type DoraReport, type Period } from "../api";
import { Badge } from "../components/Badge";
import { DoraTrends } from "../components/DoraTrends";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { BAND_HELP, bands } from "../dora-bands";
import { fmtDate, fmtDuration, fmtFrequency, fmtPercent, plural } from "../format";
import { recentDeploys } from "../recent-deploys";
import { useApi } from "../useApi";

const DAY_MS = 86_400_000;

/** The four keys, how each reads as a figure and what it counted. */
const METRICS: Array<{
  key: keyof DoraFigures;
  title: string;
  value: (f: DoraFigures) => string;
  detail: (f: DoraFigures) => string;
}> = [
  {
    key: "deploymentFrequency",
    title: "Deployment frequency",
    value: (f) => fmtFrequency(f.deploymentFrequency.perDay),
    detail: (f) => `${plural(f.deploymentFrequency.deploys, "successful deploy")}`,
  },
  {
    key: "leadTimeForChanges",
    title: "Lead time for changes",
    value: (f) => fmtDuration(f.leadTimeForChanges.medianSeconds),
    detail: (f) =>
      `median of ${plural(f.leadTimeForChanges.changes, "change")} · ` +
      `p90 ${fmtDuration(f.leadTimeForChanges.p90Seconds)}`,
  },
  {
    key: "changeFailureRate",
    title: "Change failure rate",
    value: (f) => fmtPercent(f.changeFailureRate.rate),
    detail: (f) =>
      `${plural(f.changeFailureRate.failures, "failure")} in ${plural(f.changeFailureRate.deployments, "deploy")}`,
  },
  {
    key: "timeToRestore",
    title: "Time to restore",
    value: (f) => fmtDuration(f.timeToRestore.medianSeconds),
    detail: (f) => `median of ${plural(f.timeToRestore.restored, "restoration")}`,
  },
];

/** `YYYY-MM-DD` of a day, UTC. */
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
/** A day from the URL, or null if it is not one (a hand-edited URL must not break the page). */
const dayParam = (s: string | null) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) ? s : null);

/**
 * `/dora` (contract §11): DORA's four keys for a repository, production environments together and
 * each environment apart, rated in DORA's bands, and their trend over day, week or month buckets.
 * Everything chosen is in the URL, so a view can be shared.
 */
export default function Dora() {
  const [params, setParams] = useSearchParams();
  const today = day(Date.now());
  const repository = params.get("repository") ?? "";
  const environment = params.get("environment") ?? "";
  const until = dayParam(params.get("until")) ?? today;
  const since = dayParam(params.get("since")) ?? day(Date.parse(until) - 29 * DAY_MS);
  const bucket = (params.get("bucket") as Bucket | null) ?? "day";
  const period = { since: `${since}T00:00:00Z`, until: new Date(Date.parse(until) + DAY_MS).toISOString() };
  const known = useApi(() => recentDeploys(), []);

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };

  const repositories = [...new Set((known.data ?? []).map((d) => d.repository))].sort();
  const environments = [
    ...new Set((known.data ?? []).filter((d) => d.repository === repository).map((d) => d.environment)),
  ].sort();

  return (
    <>
      <h1>DORA</h1>
      <Controls
        key={`${repository}|${since}|${until}`}
        repositories={repositories}
        values={{ repository, since, until }}
        onApply={update}
      />
      {!repository ? (
        <section className="card">
          <h2>Choose a repository</h2>
          {known.loading && <Loading />}
          {repositories.length === 0 && !known.loading && <Empty>No deploy received yet.</Empty>}
          <ul className="inline">
            {repositories.map((r) => (
              <li key={r}>
                <Link to={`/dora?repository=${encodeURIComponent(r)}`}>{r}</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <>
          <EnvironmentTable
            repository={repository}
            period={period}
            bucket={bucket}
            environments={environments}
            chosen={environment}
            onChoose={(env) => update({ environment: env })}
          />
          <DoraTrends
            repository={repository}
            environment={environment}
            period={period}
            bucket={bucket}
            onBucket={(b) => update({ bucket: b })}
          />
        </>
      )}
    </>
  );
}

function Controls({
  repositories,
  values,
  onApply,
}: {
  repositories: string[];
  values: { repository: string; since: string; until: string };
  onApply: (v: Record<string, string>) => void;
}) {
  const [v, setV] = useState(values);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({ ...v, repository: v.repository.trim().toLowerCase() });
  };
  return (
    <form className="filters card" onSubmit={submit}>
      <label className="wide">
        repository
        <input
          name="repository"
          list="repositories"
          placeholder="owner/repo"
          value={v.repository}
          onChange={(e) => setV({ ...v, repository: e.target.value })}
        />
        <datalist id="repositories">
          {repositories.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
      </label>
      <label>
        from (UTC)
        <input name="since" type="date" value={v.since} onChange={(e) => setV({ ...v, since: e.target.value })} />
      </label>
      <label>
        to (UTC, inclusive)
        <input name="until" type="date" value={v.until} onChange={(e) => setV({ ...v, until: e.target.value })} />
      </label>
      <div className="actions">
        <button type="submit">Show</button>
      </div>
    </form>
  );
}

/**
 * One row per scope: the production environments together (the default), then each environment.
 * Each row asks with the chart's bucket: the trends of the chosen row are then the same answer.
 */
function EnvironmentTable(props: {
  repository: string;
  period: Period;
  bucket: Bucket;
  environments: string[];
  chosen: string;
  onChoose: (env: string) => void;
}) {
  const { repository, period, bucket, chosen, onChoose } = props;
  const production = useApi(
    () => api.dora({ repository, ...period, bucket }),
    [repository, period.since, period.until, bucket],
  );
  const envs = [
    ...new Set([...props.environments, ...(production.data?.environments ?? []), ...(chosen ? [chosen] : [])]),
  ].sort();
  return (
    <section className="card">
      <h2>
        {repository}{" "}
        <span className="muted small">
          {fmtDate(period.since)} to {fmtDate(new Date(Date.parse(period.until) - 1).toISOString())}
        </span>
      </h2>
      <ErrorNote error={production.error} />
      {production.data && (
        <table className="dora">
          <thead>
            <tr>
              <th>environment</th>
              {METRICS.map((m) => (
                <th key={m.key} title={BAND_HELP[m.key]}>
                  {m.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <ScopeRow
              label={`production (${(production.data.productionEnvironments ?? []).join(", ")})`}
              report={production.data}
              selected={!chosen}
              onChoose={() => onChoose("")}
            />
            {envs.map((env) => (
              <EnvironmentRow
                key={env}
                repository={repository}
                environment={env}
                period={period}
                bucket={bucket}
                selected={chosen === env}
                onChoose={() => onChoose(env)}
              />
            ))}
          </tbody>
        </table>
      )}
      {production.loading && !production.data && <Loading />}
      <p className="muted small">
        Bands after the 2023 State of DevOps report; hover a column for its thresholds. Choose a row for its trends.
      </p>
    </section>
  );
}

function EnvironmentRow(props: {
  repository: string;
  environment: string;
  period: Period;
  bucket: Bucket;
  selected: boolean;
  onChoose: () => void;
}) {
  const { repository, environment, period, bucket } = props;
  const report = useApi(
    () => api.dora({ repository, environment, ...period, bucket }),
    [repository, environment, period.since, period.until, bucket],
  );
  if (!report.data) {
    return (
      <tr>
        <th>{environment}</th>
        <td colSpan={4} className="muted">
          {report.error ? report.error.message : "…"}
        </td>
      </tr>
    );
  }
  return <ScopeRow label={environment} report={report.data} selected={props.selected} onChoose={props.onChoose} />;
}

function ScopeRow({
  label,
  report,
  selected,
  onChoose,
}: {
  label: string;
  report: DoraReport;
  selected: boolean;
  onChoose: () => void;
}) {
  const rated = bands(report);
  return (
    <tr className={selected ? "selected clickable" : "clickable"} onClick={onChoose}>
      <th>{label}</th>
      {METRICS.map((m) => (
        <td key={m.key} data-metric={m.key}>
          <div className="figure">
            {m.value(report)} {rated[m.key] && <Badge value={rated[m.key]!} title={BAND_HELP[m.key]} />}
          </div>
          <div className="muted small">{m.detail(report)}</div>
        </td>
      ))}
    </tr>
  );
}
