import { ConfigError, loadConfig } from "./shared/config.js";
import { createLogger } from "./shared/log.js";
import { startService } from "./service.js";
import { startupReport } from "./ops/startup-report.js";
import { SealKeyError } from "./shared/seal.js";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
const log = createLogger(config.LOG_LEVEL);
// What this role cannot do as configured, one line each, before anything can fail for it.
for (const problem of startupReport(config)) log.warn({ variable: problem.variable }, problem.message);
const service = await startService(config, log).catch((err: unknown) => {
  // Already logged, naming SECRETS_KEYS and the key id: a stack trace would add nothing for an operator.
  if (err instanceof SealKeyError) process.exit(1);
  throw err;
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    // Bounded: with Redis or PostgreSQL hung, closing could wait forever. Jobs still held are
    // taken over by another worker once their lock lapses; nothing acknowledged is lost.
    setTimeout(() => {
      log.error("shutdown took longer than 30 s; exiting");
      process.exit(1);
    }, 30_000).unref();
    service.close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err: (err as Error).message }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
