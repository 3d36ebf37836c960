import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/ops/metrics.js";
import { STATUS } from "../../src/http/status.js";

/**
 * The operators' kit in monitoring/ (docs/operations.md) may only name metrics the service exports:
 * a renamed metric would leave a dashboard panel empty and an alert silent, so it fails here instead.
 */

const read = (file: string) => readFileSync(new URL(`../../monitoring/${file}`, import.meta.url), "utf8");

interface Target {
  expr: string;
  legendFormat?: string;
}
interface Panel {
  title: string;
  type: string;
  description?: string;
  targets: Target[];
  transformations?: Array<{ id: string; options: { regex?: string; renamePattern?: string } }>;
}

/** Every series name /metrics can show, as a process with every role exports them, and the metric families. */
async function exported(): Promise<{ names: Set<string>; families: string[] }> {
  const metrics = createMetrics({
    queueDepth: async () => ({ waiting: 0 }),
    oldestWaiting: async () => null,
    outboxBacklog: async () => 0,
    streamClients: () => 0,
    replicaLag: () => 0,
  });
  const names = new Set<string>();
  const all = await metrics.registry.getMetricsAsJSON();
  for (const m of all) {
    names.add(m.name);
    const type = String(m.type); // prom-client types it as an enum; the JSON holds "histogram", "summary"…
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m.name + s);
    if (type === "summary") for (const s of ["_sum", "_count"]) names.add(m.name + s);
  }
  return { names, families: all.map((m) => m.name) };
}

/** Series Prometheus itself makes for every target. */
const PROMETHEUS_MADE = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "offset", "bool", "inf", "nan"]);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords or labels. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings (label values)
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ""); // label lists
  const names: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

interface Alert {
  name: string;
  expr: string;
  block: string;
}

/** Alerts of the rules file: each `- alert:` block with its expression (inline or a `|` block). */
function alerts(yaml: string): Alert[] {
  return yaml
    .split(/^\s*- alert: /m)
    .slice(1)
    .map((block) => {
      const name = block.split("\n")[0]!.trim();
      const lines = block.split("\n");
      const at = lines.findIndex((l) => /^\s*expr:/.test(l));
      const inline = lines[at]!.replace(/^\s*expr:\s*/, "");
      let expr = inline;
      if (inline === "|" || inline === ">-") {
        const indent = (l: string) => l.length - l.trimStart().length;
        const own = indent(lines[at]!);
        const body: string[] = [];
        for (const l of lines.slice(at + 1)) {
          if (l.trim() && indent(l) <= own) break;
          body.push(l);
        }
        expr = body.join("\n");
      }
      return { name, expr, block };
    });
}

const dashboard = JSON.parse(read("grafana-dashboard.json")) as { title: string; panels: Panel[] };
const rules = read("prometheus-alerts.yml");

describe("monitoring kit", () => {
  it("reads metric names out of PromQL", () => {
    expect(metricNames('sum by (le) (rate(a_bucket{job=~"x|y"}[5m])) / on (job) b_total > 0 and up == 0')).toEqual([
      "a_bucket",
      "b_total",
      "up",
    ]);
  });

  it("has the dashboard's panels, each with a query", () => {
    expect(dashboard.title).toBe("Switchyard");
    expect(dashboard.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        "Ingest queue depth by state",
        "Oldest waiting job",
        "Processing latency",
        "Unprocessable deliveries",
        "Outbound attempts by kind and status",
        "Subscriptions disabled",
        "Relay backlog",
        "Open stream clients",
        "HTTP answers by status (webhooks)",
      ]),
    );
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets) expect(t.expr.trim(), panel.title).not.toBe("");
    }
    expect(new Set(dashboard.panels.map((p) => p.title)).size).toBe(dashboard.panels.length);
  });

  it("names only metrics the service exports, in the dashboard and in the alerts", async () => {
    const { names, families } = await exported();
    const used = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: p.title, expr: t.expr }))),
      ...alerts(rules).map((a) => ({ where: a.name, expr: a.expr })),
    ];
    expect(used.length).toBeGreaterThan(20);
    const unknown = used.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !names.has(name) && !PROMETHEUS_MADE.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // And every metric of the service is watched; received = accepted + duplicate + rejected, shown by those.
    const read = used.flatMap(({ expr }) => metricNames(expr));
    const unwatched = families
      .filter((f) => f.startsWith("switchyard_"))
      .filter((f) => !read.some((n) => n === f || n === `${f}_bucket`));
    expect(unwatched).toEqual(["switchyard_webhooks_received_total"]);
  });

  it("maps every webhook refusal reason to the status the service answers", () => {
    const panel = dashboard.panels.find((p) => p.title === "HTTP answers by status (webhooks)")!;
    const mapped = new Map<string, string>();
    for (const t of panel.transformations ?? []) {
      const [, alternatives] = /^\^\((.*)\)\$$/.exec(t.options.regex ?? "") ?? [];
      const status = t.options.renamePattern?.split(" ")[0];
      for (const reason of alternatives?.split("|") ?? []) mapped.set(reason, status!);
    }
    expect(Object.fromEntries(mapped)).toEqual(
      Object.fromEntries(Object.entries(STATUS).map(([reason, status]) => [reason, String(status)])),
    );
  });

  it("gives every alert a severity, a summary and a description", () => {
    const all = alerts(rules);
    expect(all.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        "SwitchyardTargetDown",
        "SwitchyardIngestBacklogGrowing",
        "SwitchyardOldestJobTooOld",
        "SwitchyardUnprocessableDeliveries",
        "SwitchyardOutboundFailures",
        "SwitchyardOutboundDeadMessages",
        "SwitchyardSubscriptionDisabled",
        "SwitchyardRelayBacklog",
      ]),
    );
    for (const a of all) {
      expect(a.block, a.name).toMatch(/^\s+severity: (warning|critical)$/m);
      expect(a.block, a.name).toMatch(/^\s+summary: \S/m);
      expect(a.block, a.name).toMatch(/^\s+description: \S/m);
    }
  });
});
