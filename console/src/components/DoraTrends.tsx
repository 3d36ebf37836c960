import { api, type Bucket, type Period } from "../api";
import { fmtDate } from "../format";
import { useModule } from "../lazy-module";
import { useApi } from "../useApi";
import { ErrorNote, Loading } from "./Status";

const BUCKETS: Bucket[] = ["day", "week", "month"];

// chart.js loads while the figures are fetched, not before.
const loadChart = () => import("./TrendChart");

/** The four keys of one scope (production environments, or one environment) per bucket of the window. */
export function DoraTrends(props: {
  repository: string;
  environment: string;
  period: Period;
  bucket: Bucket;
  onBucket: (b: Bucket) => void;
}) {
  const { repository, environment, period, bucket } = props;
  const report = useApi(
    () => api.dora({ repository, environment: environment || undefined, ...period, bucket }),
    [repository, environment, period.since, period.until, bucket],
  );
  const TrendChart = useModule(loadChart)?.default;
  const series = report.data?.series ?? [];
  const labels = series.map((b) => (bucket === "month" ? b.start.slice(0, 7) : fmtDate(b.start)));
  const hours = (s: number | null) => (s === null ? null : Math.round((s / 3600) * 10) / 10);
  return (
    <section className="card">
      <h2>
        Trends · {environment || "production environments"}
        <label className="inline-control">
          per{" "}
          <select name="bucket" value={bucket} onChange={(e) => props.onBucket(e.target.value as Bucket)}>
            {BUCKETS.map((b) => (
              <option key={b}>{b}</option>
            ))}
          </select>
        </label>
      </h2>
      <ErrorNote error={report.error} />
      {report.loading && !report.data && <Loading />}
      {report.data && !TrendChart && <Loading what="Loading charts" />}
      {report.data && TrendChart && (
        <div className="grid two charts" data-testid="dora-charts">
          <TrendChart
            title="Deployment frequency"
            kind="bar"
            unit="deploys"
            labels={labels}
            series={[
              {
                label: "successful deploys",
                values: series.map((b) => b.deploymentFrequency.deploys),
                color: "#2f81f7",
              },
            ]}
          />
          <TrendChart
            title="Lead time for changes"
            kind="line"
            unit="hours"
            labels={labels}
            series={[
              {
                label: "median",
                values: series.map((b) => hours(b.leadTimeForChanges.medianSeconds)),
                color: "#8250df",
              },
              { label: "p90", values: series.map((b) => hours(b.leadTimeForChanges.p90Seconds)), color: "#c297ff" },
            ]}
          />
          <TrendChart
            title="Change failure rate"
            kind="bar"
            unit="%"
            labels={labels}
            series={[
              {
                label: "failures / deploys",
                values: series.map((b) =>
                  b.changeFailureRate.rate === null ? null : Math.round(b.changeFailureRate.rate * 1000) / 10,
                ),
                color: "#cf222e",
              },
            ]}
          />
          <TrendChart
            title="Time to restore"
            kind="line"
            unit="hours"
            labels={labels}
            series={[
              { label: "median", values: series.map((b) => hours(b.timeToRestore.medianSeconds)), color: "#bf8700" },
            ]}
          />
        </div>
      )}
    </section>
  );
}
