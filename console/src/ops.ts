// The service's own health, read from the unauthenticated operations routes (contract §6): /readyz
// and the Prometheus text of /metrics (counts since the process started).

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** `name{a="x",b="y"} 12` lines → samples by metric name; comments and malformed lines skipped. */
export function parsePrometheus(text: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  const line = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /(\w+)="((?:[^"\\]|\\.)*)"/g;
  for (const l of text.split("\n")) {
    const m = line.exec(l);
    if (!m || l.startsWith("#")) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(label)) labels[k!] = v!;
    const samples = out.get(m[1]!) ?? [];
    samples.push({ labels, value: Number(m[3]) });
    out.set(m[1]!, samples);
  }
  return out;
}

export async function fetchMetrics(signal?: AbortSignal): Promise<Map<string, Sample[]>> {
  const res = await fetch("/metrics", { signal });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return parsePrometheus(await res.text());
}

export async function fetchReadiness(signal?: AbortSignal): Promise<Record<string, string>> {
  const res = await fetch("/readyz", { signal });
  return (await res.json()) as Record<string, string>;
}

/** The sum of a metric's samples per value of one label. */
export function byLabel(samples: Sample[] | undefined, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples ?? []) {
    const k = s.labels[name] ?? "";
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}
