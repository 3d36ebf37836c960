import type { HistoryFactory } from "../../../import/request.js";
import { GITHUB_API, githubImportClient, githubImportConfigured } from "./client.js";
import { rateLimitWaitMs } from "./rate-limit.js";
import { githubHistory } from "./source.js";

/** GitHub's entry in src/import/sources.ts. */
export const githubHistoryFactory: HistoryFactory = {
  configured: githubImportConfigured,
  rateLimitWaitMs: (err) => rateLimitWaitMs(err),
  async create(request, config, log) {
    if (request.platform !== "github") throw new Error("not a GitHub import");
    return githubHistory({
      octokit: await githubImportClient(config, log, request.repository),
      repository: request.repository,
      since: new Date(request.since),
      baseUrl: config.GITHUB_API_URL ?? GITHUB_API,
      perPage: config.GITHUB_IMPORT_PER_PAGE,
    });
  },
};
