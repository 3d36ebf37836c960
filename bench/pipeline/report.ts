/**
 * The pipeline benchmark's figures, read back from the run's schema: throughput, latency by priority,
 * the graph and its digests (compare two commits' graphs with BENCH_SEED), and the storage ceiling.
 */
import type pg from "pg";
import { migrate } from "../../src/store/migrate.js";
import { DB, EVENTS, PG_BASE, SCHEMA, TARGET } from "./config.js";

/** The tables the pipeline writes, parents before the rows that reference them. */
const WRITTEN = [
  "raw_deliveries",
  "events",
  "github_events",
  "slack_events",
  "linear_events",
  "deployments",
  "commits",
  "branch_commits",
  "pull_requests",
  "deploys",
  "linear_teams",
  "linear_issues",
  "entities",
  "mentions",
  "links",
  "outbox",
];

/**
 * What this machine's PostgreSQL does without the pipeline: the very rows the run ended with,
 * written set-based (one INSERT … SELECT per table, in one transaction) into an empty copy of the
 * schema made by the same migrations, so every index, key and constraint is paid for again.
 */
async function storageCeiling(db: pg.Client): Promise<{ rate: number; rows: number; seconds: number }> {
  const copy = `${SCHEMA}_ceiling`;
  await migrate(`${PG_BASE}/${DB}?schema=${copy}`);
  try {
    const t = performance.now();
    let rows = 0;
    await db.query("BEGIN");
    for (const table of WRITTEN)
      rows += (await db.query(`INSERT INTO "${copy}".${table} SELECT * FROM "${SCHEMA}".${table}`)).rowCount ?? 0;
    await db.query("COMMIT");
    const seconds = (performance.now() - t) / 1000;
    return { rate: EVENTS / seconds, rows, seconds };
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${copy}" CASCADE`);
  }
}
const ms = (s: number | null | undefined) => (s == null ? "n/a" : `${(s * 1000).toFixed(0)} ms`);

/** Prints the run's figures; true when every event was stored. */
export async function report(db: pg.Client, t0: number, failed: number): Promise<boolean> {
  const q = (sql: string) => db.query(sql).then((r) => r.rows);
  // stored_at is now() in the storing transaction; latency = stored_at - received_at (enqueue time).
  const [s] = await q(`
    SELECT count(*)::int AS n, extract(epoch FROM max(stored_at))::float8 * 1000 AS last,
           percentile_cont(ARRAY[0.5, 0.95, 0.99])
             WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - received_at)) AS p
    FROM events`);
  const byPriority = await q(`
    SELECT priority, count(*)::int AS n,
           percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - received_at)) AS p
    FROM events GROUP BY priority
    ORDER BY min(array_position(ARRAY['critical','high','normal','low'], priority))`);
  const [g] = await q(`
    SELECT (SELECT count(*) FROM entities)::int AS entities, (SELECT count(*) FROM links)::int AS links,
           (SELECT count(*) FROM mentions)::int AS mentions,
           (SELECT count(*) FROM deploys WHERE range_known)::int AS ranges`);
  const relations = await q(`SELECT relation, count(*)::int AS n FROM links GROUP BY relation ORDER BY n DESC`);
  // Entity for entity, link for link: digests of the graph's rows without event ids or times, to compare
  // two runs.
  const [d] = await q(`
    SELECT (SELECT md5(string_agg(from_key || ' ' || relation || ' ' || to_key || ' ' || rule || ' ' || confidence,
                                  E'\\n' ORDER BY from_key, to_key, relation, rule)) FROM links) AS links,
           (SELECT md5(string_agg(key || ' ' || kind || ' ' || coalesce(title, '') || ' ' || coalesce(state, ''), E'\\n'
                   ORDER BY key)) FROM entities) AS entities`);

  const wall = s.n ? (s.last - t0) / 1000 : (Date.now() - t0) / 1000;
  const rate = s.n / wall;
  const [p50, p95, p99] = (s.p ?? [null, null, null]) as Array<number | null>;
  const complete = s.n === EVENTS;
  console.log(
    `events: ${s.n} of ${EVENTS} stored and correlated${failed ? `, ${failed} jobs failed` : ""}` +
      (complete ? "" : " (INCOMPLETE)"),
  );
  console.log(`wall time: ${wall.toFixed(1)} s (first enqueue to last stored)`);
  console.log(`throughput: ${rate.toFixed(0)} events/s`);
  console.log(`latency receive→correlated: p50 ${ms(p50)}, p95 ${ms(p95)}, p99 ${ms(p99)}`);
  console.log(
    `  by priority: ${byPriority.map((r) => `${r.priority} (${r.n}) p50 ${ms(r.p[0])} p99 ${ms(r.p[1])}`).join("; ")}`,
  );
  console.log(
    `graph: ${g.entities} entities, ${g.links} links (${relations.map((r) => `${r.relation} ${r.n}`).join(", ")}), ` +
      `${g.mentions} mentions, ${g.ranges} deploys with a known range`,
  );
  console.log(`graph digest: links ${d.links}, entities ${d.entities}`);
  console.log(
    `target: >= ${TARGET} events/s: ${complete && rate >= TARGET ? "MET" : "NOT MET"} (${rate.toFixed(0)} events/s)`,
  );
  const ceiling = await storageCeiling(db);
  console.log(
    `storage ceiling: ${ceiling.rate.toFixed(0)} events/s (the run's ${ceiling.rows} final rows written set-based ` +
      `into an empty copy of the schema, indexes and keys included, in ${ceiling.seconds.toFixed(2)} s)`,
  );
  console.log(`ratio: ${((100 * rate) / ceiling.rate).toFixed(1)} %`);
  return complete;
}
