import { createLogger } from "../shared/log.js";
import { loadConfig } from "../shared/config.js";
import { maintainOnce } from "../ops/maintenance.js";
import { openDatabase } from "../store/prisma.js";

// `npm run maintain`: the workers' partition upkeep once, now (docs/partitions.md): days made ahead, retention.
try {
  const config = loadConfig();
  const db = openDatabase(config.DATABASE_URL, 1);
  try {
    const run = await maintainOnce({
      pool: db.pool,
      log: createLogger(config.LOG_LEVEL),
      premakeDays: config.PARTITION_PREMAKE_DAYS,
      retention: {
        raw: config.RETENTION_DAYS_RAW,
        events: config.RETENTION_DAYS_EVENTS,
        outbound: config.RETENTION_DAYS_OUTBOUND,
      },
    });
    console.log(
      run
        ? `made ${run.created.length} partition(s), dropped ${run.dropped.length}, deleted ${run.messagesDeleted} finished message(s)`
        : "another process is maintaining; nothing done",
    );
    if (run?.failed.length) process.exitCode = 1;
  } finally {
    await db.close();
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
