/** bench/scale.ts's figures: one row per step, printed as a table and as one JSON line. */
import { spawnSync } from "node:child_process";
import os from "node:os";
import type { Cpu } from "./cpu.js";

export interface Row {
  target: string;
  /** receive: web processes accepting deliveries; pipeline: worker processes storing and correlating them. */
  stage: "receive" | "pipeline";
  processes: number;
  events: number;
  seconds: number;
  /** Whether every event got through (accepted, or stored). */
  complete: boolean;
  /** CPU seconds per 1,000 events: node = the step's service processes, bench = the load generator. */
  cpu: Cpu;
  /** Pipeline steps: WAL written (whole server) and the schema's size, per stored event. */
  bytesPerEvent?: { wal: number; disk: number };
}

/** docs/scaling.md's capacity model: 100 M events a day, a peak hour at 3× the day's average, cores kept 60 % busy. */
export const MODEL = { eventsPerDay: 100e6, peakFactor: 3, utilization: 0.6 };

/**
 * The capacity model from the 1-process steps (the per-event cost without more processes than cores):
 * cores per stage and engine at the peak rate, where one Redis core saturates, WAL and disk.
 */
export function capacity(rows: Row[]) {
  const peak = (MODEL.eventsPerDay / 86_400) * MODEL.peakFactor;
  const cores = (sPer1k: number) => Number(((peak * sPer1k) / 1000 / MODEL.utilization).toFixed(1));
  const recv = rows.find((r) => r.stage === "receive" && r.processes === 1);
  const pipe = rows.find((r) => r.stage === "pipeline" && r.processes === 1);
  if (!recv || !pipe) return null;
  const redisPerEvent = (recv.cpu.redis + pipe.cpu.redis) / 1000; // CPU seconds of Redis per event, both stages
  // M events a day that `perSecond` (one core's ceiling) carries with the model's peak and utilization.
  const perDay = (perSecond: number) => Math.round((perSecond * MODEL.utilization * 86_400) / MODEL.peakFactor / 1e6);
  return {
    ...MODEL,
    peakEventsPerSecond: Math.round(peak),
    cores: {
      receiveNode: cores(recv.cpu.node),
      pipelineNode: cores(pipe.cpu.node),
      postgres: cores(pipe.cpu.postgres + pipe.cpu.pgShared + recv.cpu.postgres),
      redis: cores(recv.cpu.redis + pipe.cpu.redis),
    },
    oneRedisSaturatesAt: Math.round(1 / redisPerEvent),
    /** M events a day: one process doing both stages on one core, one Redis, each PostgreSQL core. */
    millionsPerDay: {
      oneProcess: perDay(1000 / (recv.cpu.node + pipe.cpu.node)),
      oneRedis: perDay(1 / redisPerEvent),
      perPostgresCore: perDay(1000 / (pipe.cpu.postgres + pipe.cpu.pgShared + recv.cpu.postgres)),
    },
    walMBPerSecondAtPeak: pipe.bytesPerEvent ? Number(((peak * pipe.bytesPerEvent.wal) / 1e6).toFixed(1)) : null,
    diskGBPerDay: pipe.bytesPerEvent ? Math.round((MODEL.eventsPerDay * pipe.bytesPerEvent.disk) / 1e9) : null,
  };
}

const git = (...args: string[]) => spawnSync("git", args, { encoding: "utf8" }).stdout.trim();

/** Throughput, its ratio to the same stage's 1-process step, and events/s per core of each engine. */
export function report(rows: Row[], settings: Record<string, unknown>): void {
  const rate = (r: Row) => r.events / r.seconds;
  const one = (r: Row) => rows.find((o) => o.target === r.target && o.stage === r.stage && o.processes === 1);
  const perCore = (cpuPerThousand: number) => (cpuPerThousand > 0 ? 1000 / cpuPerThousand : Infinity);
  const enriched = rows.map((r) => ({
    ...r,
    eventsPerSecond: Math.round(rate(r)),
    ratioToOne: one(r) ? Number((rate(r) / rate(one(r)!)).toFixed(2)) : null,
    eventsPerCoreSecond: {
      node: Math.round(perCore(r.cpu.node)),
      postgres: Math.round(perCore(r.cpu.postgres)),
      postgresWithShared: Math.round(perCore(r.cpu.postgres + r.cpu.pgShared)),
      redis: Math.round(perCore(r.cpu.redis)),
    },
  }));
  const head = [
    ["target", 13],
    ["stage", 9],
    ["procs", 5],
    ["events", 7],
    ["s", 6],
    ["events/s", 8],
    ["× 1", 5],
    ["node s/1k", 9],
    ["PG s/1k", 8],
    ["PG shared", 9],
    ["Redis s/1k", 10],
    ["loadgen s/1k", 12],
    ["ev/s/core node", 14],
    ["WAL B/ev", 8],
    ["disk B/ev", 9],
  ] as const;
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(head[i]![1])).join(" ");
  console.log(line(head.map(([h]) => h)));
  for (const r of enriched)
    console.log(
      line([
        r.target,
        r.stage,
        String(r.processes),
        String(r.events),
        r.seconds.toFixed(1),
        String(r.eventsPerSecond) + (r.complete ? "" : "!"),
        r.ratioToOne?.toFixed(2) ?? "",
        r.cpu.node.toFixed(2),
        r.cpu.postgres.toFixed(2),
        r.cpu.pgShared.toFixed(2),
        r.cpu.redis.toFixed(2),
        r.stage === "receive" ? r.cpu.bench.toFixed(2) : "",
        String(r.eventsPerCoreSecond.node),
        r.bytesPerEvent?.wal.toFixed(0) ?? "",
        r.bytesPerEvent?.disk.toFixed(0) ?? "",
      ]),
    );
  const model = capacity(rows);
  if (model)
    console.log(
      `capacity at ${model.eventsPerDay / 1e6} M events/day (peak ${model.peakFactor}× = ${model.peakEventsPerSecond}/s, ` +
        `cores ${model.utilization * 100} % busy): receive ${model.cores.receiveNode} node cores, pipeline ` +
        `${model.cores.pipelineNode} node cores, PostgreSQL ${model.cores.postgres} cores, Redis ${model.cores.redis} ` +
        `cores (one Redis saturates at ~${model.oneRedisSaturatesAt} events/s); WAL ${model.walMBPerSecondAtPeak} MB/s ` +
        `at peak, ${model.diskGBPerDay} GB a day on disk before retention; M events a day carried by one ` +
        `process ${model.millionsPerDay.oneProcess}, one Redis ${model.millionsPerDay.oneRedis}, each PostgreSQL ` +
        `core ${model.millionsPerDay.perPostgresCore}`,
    );
  const dirty = git("status", "--porcelain", "--untracked-files=no") ? "+changes" : "";
  const cpus = os.cpus();
  console.log(
    JSON.stringify({
      bench: "scale",
      commit: git("rev-parse", "--short", "HEAD") + dirty,
      date: new Date().toISOString(),
      machine: { cores: cpus.length, model: cpus[0]?.model.trim(), node: process.version, load: os.loadavg()[0] },
      ...settings,
      steps: enriched,
      capacity: model,
    }),
  );
}
