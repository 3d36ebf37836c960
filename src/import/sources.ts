import type { Config } from "../shared/config.js";
import { githubHistoryFactory } from "../platforms/github/history/index.js";
import { linearHistoryFactory } from "../platforms/linear/history/index.js";
import type { HistoryFactory, ImportPlatform } from "./request.js";

/**
 * The platforms an import can read, each through its own folder's reader; one not configured (no token or API
 * key) is answered 503 by POST /api/imports.
 */
export const HISTORY_SOURCES: Record<ImportPlatform, HistoryFactory> = {
  github: githubHistoryFactory,
  linear: linearHistoryFactory,
};

/** Whether `platform`'s import is wired and configured. */
export const importAvailable = (platform: ImportPlatform, config: Config) =>
  HISTORY_SOURCES[platform].configured(config);
