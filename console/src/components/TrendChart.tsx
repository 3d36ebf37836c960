import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
  type ChartOptions,
} from "chart.js";
import { Bar, Line } from "react-chartjs-2";

// Only the pieces the trend charts use are registered, which keeps chart.js's share of the bundle small.
ChartJS.register(BarElement, CategoryScale, LinearScale, LineElement, PointElement, Tooltip, Legend);

export interface Series {
  label: string;
  values: Array<number | null>;
  color: string;
}

interface Props {
  title: string;
  labels: string[];
  series: Series[];
  kind: "bar" | "line";
  unit: string;
}

/** One DORA key over the window's buckets. Gaps (nothing to measure in a bucket) stay gaps. */
export default function TrendChart({ title, labels, series, kind, unit }: Props) {
  const options: ChartOptions<"bar" | "line"> = {
    responsive: true,
    maintainAspectRatio: false,
    // Drawn at once: no animation to wait for, in screenshots or on a slow machine.
    animation: false,
    plugins: {
      legend: { display: series.length > 1, position: "bottom" },
      tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.formattedValue} ${unit}` } },
    },
    scales: {
      y: { beginAtZero: true, title: { display: true, text: unit } },
      x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 10 } },
    },
  };
  const data = {
    labels,
    datasets: series.map((s) => ({
      label: s.label,
      data: s.values,
      backgroundColor: s.color,
      borderColor: s.color,
      spanGaps: false,
      pointRadius: 2,
    })),
  };
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-box">
        {kind === "bar" ? (
          <Bar data={data} options={options as ChartOptions<"bar">} aria-label={title} role="img" />
        ) : (
          <Line data={data} options={options as ChartOptions<"line">} aria-label={title} role="img" />
        )}
      </div>
    </figure>
  );
}
