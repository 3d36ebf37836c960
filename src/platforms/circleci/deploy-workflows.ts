import { compileGlobIgnoreCase } from "../../shared/glob.js";

/** One `glob=environment` pair of CIRCLECI_DEPLOY_WORKFLOWS, its glob compiled once. */
export interface DeployWorkflow {
  glob: string;
  environment: string;
  matches: (workflowName: string) => boolean;
}

/**
 * An environment is a word (letters, digits, `-`, `_`): it travels in the event type
 * (`circleci.workflow-completed.deploy.<environment>`), so it must not hold a dot or a space.
 */
const ENVIRONMENT = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_GLOB = 200;

/**
 * Parses CIRCLECI_DEPLOY_WORKFLOWS: `glob=environment` pairs, comma-separated, a glob alone meaning
 * `production`; empty entries dropped, so an empty value makes no workflow a deploy. Throws an Error
 * naming the bad entry by position (config.ts turns it into a config error). Globs match without case.
 */
export function parseDeployWorkflows(text: string): DeployWorkflow[] {
  const out: DeployWorkflow[] = [];
  for (const [i, raw] of text.split(",").entries()) {
    const entry = raw.trim();
    if (!entry) continue;
    // Named by position: config errors never echo a value (config.ts loadConfig).
    const which = `entry ${i + 1}`;
    const eq = entry.indexOf("=");
    const glob = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const environment = eq < 0 ? "production" : entry.slice(eq + 1).trim();
    if (!glob || glob.length > MAX_GLOB) throw new Error(`${which}: the glob must have 1 to ${MAX_GLOB} characters`);
    if (!ENVIRONMENT.test(environment)) {
      throw new Error(`${which}: the environment must be 1 to 64 letters, digits, - or _`);
    }
    out.push({ glob, environment, matches: compileGlobIgnoreCase(glob) });
  }
  return out;
}

/** The environment the first matching pair names, or null: the workflow is not a deploy. */
export function deployEnvironment(workflows: readonly DeployWorkflow[], workflowName: string): string | null {
  return workflows.find((w) => w.matches(workflowName))?.environment ?? null;
}
