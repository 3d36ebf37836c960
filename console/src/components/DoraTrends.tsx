import { api, type Bucket, type Period, type Scope } from "../api";
import { fmtDate } from "../format";
import { useModule } from "../lazy-module";
import { useApi } from "../useApi";
import { ErrorNote, Loading } from "./Status";

const BUCKETS: Bucket[] = ["day", "week", "month"];

// chart.js loads while the figures are fetched, not before.
const loadChart = () => import("./TrendChart");

/** DORA's five metrics of a scope (its production environments, or one environment) per bucket of the window. */
export function DoraTrends(props: {
  scope: Scope;
  environment: string;
  period: Period;
  bucket: Bucket;
  onBucket: (b: Bucket) => void;
}) {
  const { scope, environment, period, bucket } = props;
  const report = useApi(
    () => api.dora({ ...scope, environment: environment || undefined, ...period, bucket }),
    [scope.group, scope.repository, environment, period.since, period.until, bucket],
  );
  const TrendChart = useModule(loadChart)?.default;
  const series = report.data?.series ?? [];
  const labels = series.map((b) => (bucket === "month" ? b.start.slice(0, 7) : fmtDate(b.start)));
  const hours = (s: number | null) => (s === null ? null : Math.round((s / 3600) * 10) / 10);
  const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);
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
            title="Change lead time"
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
            title="Change fail rate"
            kind="bar"
            unit="%"
            labels={labels}
            series={[
              {
                label: "failures / deploys",
                values: series.map((b) => percent(b.changeFailureRate.rate)),
                color: "#cf222e",
              },
            ]}
          />
          <TrendChart
            title="Failed deployment recovery time"
            kind="line"
            unit="hours"
            labels={labels}
            series={[
              { label: "median", values: series.map((b) => hours(b.timeToRestore.medianSeconds)), color: "#bf8700" },
            ]}
          />
          <TrendChart
            title="Deployment rework rate"
            kind="bar"
            unit="%"
            labels={labels}
            series={[
              {
                label: "reworks / deploys",
                values: series.map((b) => percent(b.deploymentReworkRate.rate)),
                color: "#e16f24",
              },
            ]}
          />
        </div>
      )}
    </section>
  );
}
