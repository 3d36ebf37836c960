import type { HistoryFactory } from "../../../import/request.js";
import { linearHistory } from "./source.js";

/** Linear's entry in src/import/sources.ts: reads with LINEAR_API_KEY at LINEAR_API_URL. */
export const linearHistoryFactory: HistoryFactory = {
  configured: (config) => Boolean(config.LINEAR_API_KEY),
  create(request, config) {
    if (request.platform !== "linear") throw new Error("not a Linear import");
    return linearHistory({
      apiKey: config.LINEAR_API_KEY!,
      apiUrl: config.LINEAR_API_URL,
      team: request.team ?? undefined,
      since: new Date(request.since),
    });
  },
};
