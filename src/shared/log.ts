import { pino } from "pino";

/** Structured logs; header values that carry credentials are redacted wherever they appear. */
export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: [
        "*.authorization",
        "*.headers.authorization",
        "*.headers.cookie",
        '*.headers["x-gitlab-token"]',
        "*.secret",
        "*.secrets",
      ],
      censor: "[redacted]",
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
