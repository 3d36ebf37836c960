import { pino, type DestinationStream } from "pino";
import pretty from "pino-pretty";

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty); default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where the lines go; default stdout. */
  destination?: DestinationStream;
}

/**
 * Structured logs; header values that carry credentials are redacted wherever they appear. JSON for
 * log collectors, one object a line; pretty, coloured lines when a person watches a terminal.
 */
export function createLogger(level: string, options: LoggerOptions = {}) {
  const prettyLines = options.pretty ?? process.stdout.isTTY === true;
  const destination = prettyLines
    ? pretty({
        colorize: !options.destination,
        // Synchronous: lines written just before process.exit are not lost.
        sync: true,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname",
        destination: options.destination ?? 1,
      })
    : options.destination;
  const settings = {
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
  };
  return destination ? pino(settings, destination) : pino(settings);
}

export type Logger = ReturnType<typeof createLogger>;
