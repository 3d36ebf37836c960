import type { Octokit } from "@octokit/rest";
import type { Config } from "../../../shared/config.js";
import type { Logger } from "../../../shared/log.js";
import { githubClient, type GithubClientOptions } from "../reconcile.js";

export const GITHUB_API = "https://api.github.com";

/** Whether an import can read GitHub: a token, or App credentials. */
export const githubImportConfigured = (c: Config) =>
  Boolean(c.GITHUB_TOKEN || (c.GITHUB_APP_ID && c.GITHUB_APP_PRIVATE_KEY));

/**
 * The import's client: rate limits waited out (Retry-After on a secondary limit, x-ratelimit-reset on
 * the primary one) and 5xx retried, up to GITHUB_IMPORT_RETRIES times per request. Logged without the
 * request's headers (its credentials). With App credentials, it acts as the App's installation on
 * `repository` (looked up with the App's JWT).
 */
export async function githubImportClient(c: Config, log: Logger, repository: string): Promise<Octokit> {
  const retries = c.GITHUB_IMPORT_RETRIES;
  const limited =
    (kind: string) =>
    (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
      // A wait past GITHUB_IMPORT_MAX_WAIT_S is not waited in place: the refusal fails the page and the worker
      // puts the job aside until the reset (queue/import/worker.ts).
      const again = retryCount < retries && retryAfter <= c.GITHUB_IMPORT_MAX_WAIT_S;
      log.warn(
        { kind, method: options.method, url: options.url, retryAfter, retryCount, again },
        again ? "github rate limit: waiting, then retrying" : "github rate limit: not waiting here",
      );
      return again;
    };
  const options: GithubClientOptions = {
    token: c.GITHUB_TOKEN,
    appId: c.GITHUB_APP_ID,
    privateKey: c.GITHUB_APP_PRIVATE_KEY,
    baseUrl: c.GITHUB_API_URL,
    limits: {
      throttle: { onRateLimit: limited("primary"), onSecondaryRateLimit: limited("secondary") },
      retries,
      retryAfterBaseMs: c.GITHUB_IMPORT_RETRY_BASE_MS,
    },
  };
  if (c.GITHUB_TOKEN || !c.GITHUB_APP_ID) return githubClient(options);
  const [owner, repo] = repository.split("/") as [string, string];
  const app = githubClient({ ...options, token: undefined });
  const { data } = await app.rest.apps.getRepoInstallation({ owner, repo });
  return githubClient({ ...options, token: undefined, installationId: data.id });
}
