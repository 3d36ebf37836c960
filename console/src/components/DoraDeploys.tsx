import { Link } from "react-router";
import { api, type Bucket, type DoraDeploy, type Period, type Scope } from "../api";
import { fmtTime, plural, shortKey } from "../format";
import { useApi } from "../useApi";
import { Badge } from "./Badge";
import { KeyLink } from "./KeyLink";
import { Empty, ErrorNote, Loading } from "./Status";

/** A busy group deploys thousands of times a month: the newest are listed, the rest counted. */
const SHOWN = 200;

/**
 * The deploys a scope's figures counted (the chosen environment, or its production environments),
 * newest first, each marked when it failed, was rework, or most likely caused incidents (linked to
 * their entity pages). The same answer as the trends': asked once.
 */
export function DoraDeploys(props: { scope: Scope; environment: string; period: Period; bucket: Bucket }) {
  const { scope, environment, period, bucket } = props;
  const report = useApi(
    () => api.dora({ ...scope, environment: environment || undefined, ...period, bucket }),
    [scope.group, scope.repository, environment, period.since, period.until, bucket],
  );
  const deploys = [...(report.data?.deploys ?? [])].sort((a, b) => (a.finishedAt < b.finishedAt ? 1 : -1));
  const failures = deploys.filter((d) => d.failure).length;
  const reworks = deploys.filter((d) => d.rework).length;
  return (
    <section className="card" data-testid="dora-deploys">
      <h2>
        Deploys counted · {environment || "production environments"}{" "}
        {report.data && (
          <span className="muted small">
            {plural(deploys.length, "deploy")}, {plural(failures, "failure")}, {plural(reworks, "rework")}
          </span>
        )}
      </h2>
      <ErrorNote error={report.error} />
      {report.loading && !report.data && <Loading />}
      {report.data && deploys.length === 0 && <Empty>No deploy finished in this window.</Empty>}
      {deploys.length > 0 && (
        <table className="dora-deploys">
          <thead>
            <tr>
              <th>finished (UTC)</th>
              <th>repository</th>
              <th>environment</th>
              <th>deploy</th>
              <th>status</th>
              <th>counted as</th>
              <th>incidents it most likely caused</th>
            </tr>
          </thead>
          <tbody>
            {deploys.slice(0, SHOWN).map((d) => (
              <DeployRow key={d.key} d={d} />
            ))}
          </tbody>
        </table>
      )}
      {deploys.length > SHOWN && (
        <p className="muted small">The newest {SHOWN} are listed; every one is counted in the figures above.</p>
      )}
    </section>
  );
}

function DeployRow({ d }: { d: DoraDeploy }) {
  return (
    <tr data-deploy={d.key} className={d.failure ? "failure" : undefined}>
      <td className="mono">{fmtTime(d.finishedAt)}</td>
      <td>{d.repository}</td>
      <td>{d.environment}</td>
      <td>
        <Link to={`/deploys/${encodeURIComponent(d.key)}`} title={d.key} className="mono">
          {shortKey(d.key)}
        </Link>
      </td>
      <td>
        <Badge value={d.status} />
      </td>
      <td className="markers">
        {d.failure && <Badge value="failure" tone="bad" title="a failed deploy, rollback, revert or caused incident" />}
        {d.rework && (
          <Badge value="rework" tone="warn" title="an unplanned fix: incident or bug fix, revert, rollback" />
        )}
      </td>
      <td>
        <ul className="inline">
          {d.incidents.map((k) => (
            <li key={k}>
              <KeyLink k={k} />
            </li>
          ))}
        </ul>
      </td>
    </tr>
  );
}
