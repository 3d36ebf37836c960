/**
 * The JSON of the query API's answers that clients read field by field (the CLI, the console),
 * typed once. Times are ISO-8601 strings, as they travel. No imports: the console's type-check
 * reads this file too.
 */

/** A deploy as `GET /api/deploys/:key/changes` shows it. */
export interface DeployAnswer {
  key: string;
  repository: string;
  environment: string;
  sha: string;
  status: string;
  url: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  previousKey: string | null;
  rangeKnown: boolean;
}

/** `GET /api/deploys/:key/changes` (contract §6). */
export interface DeployChanges {
  deploy: DeployAnswer;
  previous: DeployAnswer | null;
  rangeKnown: boolean;
  rollsBack: string | null;
  commits: Array<{ key: string; sha: string; message: string | null; authoredAt: string | null }>;
  pullRequests: Array<{ key: string; number: number; title: string; mergedAt: string | null }>;
  issues: Array<{ key: string; title: string | null; state: string | null; confidence: number }>;
}

/** DORA's four keys (contract §6), for a whole window or one bucket of it. */
export interface DoraFigures {
  deploymentFrequency: { deploys: number; perDay: number };
  leadTimeForChanges: { changes: number; medianSeconds: number | null; p90Seconds: number | null };
  changeFailureRate: { deployments: number; failures: number; rate: number | null };
  timeToRestore: { restored: number; medianSeconds: number | null };
}

/** `GET /api/metrics/dora` (contract §6). */
export interface DoraReport extends DoraFigures {
  repository: string;
  environment: string | null;
  environments: string[];
  productionEnvironments: string[] | null;
  since: string;
  until: string;
  deploys: Array<{ key: string; environment: string; status: string; finishedAt: string; failure: boolean }>;
  series?: Array<DoraFigures & { start: string; end: string }>;
}
