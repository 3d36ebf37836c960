import type { Config } from "../shared/config.js";
import type { Logger } from "../shared/log.js";
import type { HistorySource } from "./history.js";

/** What POST /api/imports asks for (docs/import.md); `since` is resolved to an ISO time when the job is made. */
export type ImportRequest =
  | { platform: "github"; repository: string; since: string }
  | { platform: "linear"; team: string | null; since: string };

export type ImportPlatform = ImportRequest["platform"];
export const IMPORT_PLATFORMS = ["github", "linear"] as const satisfies readonly ImportPlatform[];

/** A platform's history reader: whether the configuration lets it read, and the source of one request. */
export interface HistoryFactory {
  configured(config: Config): boolean;
  create(request: ImportRequest, config: Config, log: Logger): HistorySource | Promise<HistorySource>;
  /** How long a refusal for the platform's rate limit asks to wait (ms); null for any other error. */
  rateLimitWaitMs?(err: unknown): number | null;
}

/** The scope an import reads and keeps its cursors under: the repository (lower case), the team key (upper), `*`. */
export const importScope = (r: ImportRequest) =>
  r.platform === "github" ? r.repository.toLowerCase() : (r.team?.toUpperCase() ?? "*");
