import type { Config } from "../shared/config.js";
import { githubHistoryFactory } from "../platforms/github/history/index.js";
import type { HistoryFactory, ImportPlatform } from "./request.js";

/**
 * The platforms an import can read. A platform missing here is answered 503 by POST /api/imports.
 * Linear's reader (src/platforms/linear/history/) is wired with one line here.
 */
export const HISTORY_SOURCES: Partial<Record<ImportPlatform, HistoryFactory>> = {
  github: githubHistoryFactory,
};

/** Whether `platform`'s import is wired and configured. */
export const importAvailable = (platform: ImportPlatform, config: Config) =>
  HISTORY_SOURCES[platform]?.configured(config) === true;
