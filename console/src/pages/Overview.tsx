import { Link } from "react-router";
import { api, WEBHOOK_PLATFORMS, type QueueCounts } from "../api";
import { Badge } from "../components/Badge";
import { KeyLink } from "../components/KeyLink";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { ago, fmtDuration, fmtTime } from "../format";
import { byLabel, fetchMetrics, fetchReadiness, type Sample } from "../ops";
import { recentDeploys } from "../recent-deploys";
import { useApi, type Loaded } from "../useApi";

const QUEUE_STATES = ["waiting", "prioritized", "active", "delayed", "failed", "completed"] as const;

/** What an operator looks at first: is it healthy, is anything stuck or refused, what shipped last. */
export default function Overview() {
  const queue = useApi((s) => api.queue(s), []);
  const metrics = useApi((s) => fetchMetrics(s), []);
  return (
    <>
      <h1>Overview</h1>
      <div className="grid two">
        <Health queue={queue} metrics={metrics} />
        <Received metrics={metrics} />
      </div>
      <Unprocessable queue={queue} />
      <LatestDeploys />
    </>
  );
}

type Metrics = Loaded<Map<string, Sample[]>>;

function Health({ queue, metrics }: { queue: Loaded<QueueCounts>; metrics: Metrics }) {
  const ready = useApi((s) => fetchReadiness(s), []);
  const oldest = metrics.data?.get("switchyard_queue_oldest_waiting_seconds")?.[0]?.value;
  return (
    <section className="card">
      <h2>Queue health</h2>
      {ready.data && (
        <p>
          {Object.entries(ready.data).map(([k, v]) => (
            <span key={k} className="pair">
              {k} <Badge value={v} />
            </span>
          ))}
        </p>
      )}
      <ErrorNote error={queue.error} what="Queue unavailable" />
      {queue.data && (
        <dl className="stats">
          {QUEUE_STATES.map((s) => (
            <div key={s}>
              <dt>{s}</dt>
              <dd>{queue.data?.[s] ?? 0}</dd>
            </div>
          ))}
          <div>
            <dt>oldest waiting</dt>
            <dd>{oldest ? fmtDuration(oldest) : "—"}</dd>
          </div>
        </dl>
      )}
      {queue.loading && !queue.data && <Loading />}
    </section>
  );
}

function Received({ metrics }: { metrics: Metrics }) {
  if (metrics.error) return <ErrorNote error={metrics.error} what="Metrics unavailable" />;
  const m = metrics.data;
  const rows: Array<[string, Record<string, number>]> = m
    ? [
        ["received", byLabel(m.get("switchyard_webhooks_received_total"), "platform")],
        ["accepted", byLabel(m.get("switchyard_webhooks_accepted_total"), "platform")],
        ["duplicates", byLabel(m.get("switchyard_webhooks_duplicate_total"), "platform")],
        ["rejected", byLabel(m.get("switchyard_webhooks_rejected_total"), "platform")],
        ["unprocessable", byLabel(m.get("switchyard_deliveries_unprocessable_total"), "platform")],
      ]
    : [];
  return (
    <section className="card">
      <h2>Webhooks since this process started</h2>
      {!m ? (
        <Loading />
      ) : (
        <table className="compact numbers">
          <thead>
            <tr>
              <th />
              {WEBHOOK_PLATFORMS.map((p) => (
                <th key={p}>{p}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, counts]) => (
              <tr key={label}>
                <th>{label}</th>
                {WEBHOOK_PLATFORMS.map((p) => (
                  <td key={p}>{counts[p] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Unprocessable({ queue }: { queue: Loaded<QueueCounts> }) {
  const list = useApi((s) => api.deliveries({ status: "unprocessable", limit: 5 }, s), []);
  const counts = queue.data?.unprocessable ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <section className="card">
      <h2>
        Unprocessable deliveries <span className="count">{total}</span>
      </h2>
      {total > 0 && (
        <p>
          {Object.entries(counts).map(([p, n]) => (
            <span key={p} className="pair">
              {p} <strong>{n}</strong>
            </span>
          ))}
        </p>
      )}
      <ErrorNote error={list.error} />
      {list.data && list.data.items.length === 0 && <Empty>None: every accepted delivery was stored.</Empty>}
      {list.data && list.data.items.length > 0 && (
        <>
          <table>
            <thead>
              <tr>
                <th>received</th>
                <th>platform</th>
                <th>reason</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.id}>
                  <td className="nowrap">{fmtTime(d.receivedAt)}</td>
                  <td>{d.platform}</td>
                  <td className="wrap">{d.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <Link to="/deliveries?status=unprocessable">All unprocessable deliveries, reprocess →</Link>
          </p>
        </>
      )}
    </section>
  );
}

function LatestDeploys() {
  const deploys = useApi(() => recentDeploys(), []);
  return (
    <section className="card">
      <h2>Latest deploys per environment</h2>
      <ErrorNote error={deploys.error} />
      {deploys.loading && !deploys.data && <Loading />}
      {deploys.data?.length === 0 && <Empty>No deploy received yet.</Empty>}
      {deploys.data && deploys.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>repository</th>
              <th>environment</th>
              <th>deploy</th>
              <th>status</th>
              <th>when</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {deploys.data.slice(0, 30).map((d) => (
              <tr key={`${d.repository}|${d.environment}`}>
                <td>{d.repository}</td>
                <td>{d.environment}</td>
                <td>
                  <KeyLink k={d.key} />
                </td>
                <td>
                  <Badge value={d.status} />
                </td>
                <td className="nowrap" title={fmtTime(d.at)}>
                  {ago(d.at)}
                </td>
                <td>
                  <Link to={`/dora?repository=${encodeURIComponent(d.repository)}`}>DORA</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
