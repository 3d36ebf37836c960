import { api, type Bucket, type DoraReport, type Period, type Repository, type Scope } from "../api";
import { METRICS } from "../dora-metrics";
import { fmtDate } from "../format";
import { recentDeploys } from "../recent-deploys";
import { useApi } from "../useApi";
import { Badge } from "./Badge";
import { RepositoryLinks } from "./DoraPicker";
import { ErrorNote, Loading } from "./Status";

/** A scope's name as headings say it. */
export const scopeName = (scope: Scope) => (scope.group ? `group ${scope.group}` : scope.repository);

/**
 * One row per environment scope: the production environments together (the default), then each
 * environment the scope's repositories deployed to lately. Each row asks with the chart's bucket:
 * the trends and deploys of the chosen row are then the same answer, asked once. The scope's
 * repositories are the one named, or those `/api/repositories` says the group holds (`known`): DORA's
 * `repositories` lists only those with counted production deploys, and a staging-only one must keep
 * its rows.
 */
export function DoraTable(props: {
  scope: Scope;
  known: Repository[] | undefined;
  period: Period;
  bucket: Bucket;
  chosen: string;
  onChoose: (env: string) => void;
  link: (to: { group?: string; repository?: string }) => string;
}) {
  const { scope, period, bucket, chosen, onChoose } = props;
  const production = useApi(
    () => api.dora({ ...scope, ...period, bucket }),
    [scope.group, scope.repository, period.since, period.until, bucket],
  );
  const recent = useApi(() => recentDeploys(), []);
  const { group } = scope;
  const held =
    group === undefined
      ? [scope.repository.toLowerCase()]
      : [
          ...(props.known ?? []).filter((r) => r.groups.includes(group)).map((r) => r.repository),
          ...(production.data?.repositories ?? []),
        ];
  const inScope = new Set(held);
  const envs = [
    ...new Set([
      ...(recent.data ?? []).filter((d) => inScope.has(d.repository)).map((d) => d.environment),
      ...(production.data?.environments ?? []),
      ...(chosen ? [chosen] : []),
    ]),
  ].sort();
  return (
    <section className="card">
      <h2>
        {scopeName(scope)}{" "}
        <span className="muted small">
          {fmtDate(period.since)} to {fmtDate(new Date(Date.parse(period.until) - 1).toISOString())}
        </span>
      </h2>
      {scope.group && production.data && (
        <p data-testid="dora-counted">
          Repositories counted: <RepositoryLinks names={production.data.repositories} link={props.link} />
        </p>
      )}
      <ErrorNote error={production.error} />
      {production.data && (
        <table className="dora">
          <thead>
            <tr>
              <th>environment</th>
              {METRICS.map((m) => (
                <th key={m.key} title={m.help}>
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
                scope={scope}
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
        Levels after the 2023 State of DevOps report, as the API rates them; hover a column for its thresholds.
        Deployment rework rate (2024) has no levels. Choose a row for its trends and deploys.
      </p>
    </section>
  );
}

function EnvironmentRow(props: {
  scope: Scope;
  environment: string;
  period: Period;
  bucket: Bucket;
  selected: boolean;
  onChoose: () => void;
}) {
  const { scope, environment, period, bucket } = props;
  const report = useApi(
    () => api.dora({ ...scope, environment, ...period, bucket }),
    [scope.group, scope.repository, environment, period.since, period.until, bucket],
  );
  if (!report.data) {
    return (
      <tr>
        <th>{environment}</th>
        <td colSpan={METRICS.length} className="muted">
          {report.error ? report.error.message : "…"}
        </td>
      </tr>
    );
  }
  return <ScopeRow label={environment} report={report.data} selected={props.selected} onChoose={props.onChoose} />;
}

function ScopeRow(props: { label: string; report: DoraReport; selected: boolean; onChoose: () => void }) {
  const { report } = props;
  return (
    <tr className={props.selected ? "selected clickable" : "clickable"} onClick={props.onChoose}>
      <th>{props.label}</th>
      {METRICS.map((m) => {
        const band = m.band ? report.bands[m.band] : null;
        return (
          <td key={m.key} data-metric={m.key}>
            <div className="figure">
              <span className="value">{m.value(report)}</span> {band && <Badge value={band} title={m.help} />}
            </div>
            <div className="muted small detail">{m.detail(report)}</div>
          </td>
        );
      })}
    </tr>
  );
}
