import type { DeploymentRow } from "../shared/event.js";

/**
 * What one event of a forge (GitHub, GitLab) contributes beyond the fields every event has: its subject, the keys
 * it names, its platform row's fields, the times it happened, a deploy row.
 */
export interface EventPart<Row> {
  subject?: string | null;
  keys?: Array<string | null>;
  row?: Partial<Row>;
  when?: unknown[];
  deployment?: DeploymentRow;
}
