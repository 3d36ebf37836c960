import { API_TOKENS } from "./service.js";
import { checkAnswer } from "./answers.js";

/**
 * `call(method, path, body?)` against a test service's API with the first token: the answer's status
 * and JSON (none for 204), checked against the route's declared schema (answers.ts).
 */
export const apiCall =
  (service: { url: string }) =>
  async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? undefined : ((await res.json()) as any);
    checkAnswer(method, path, res.status, json);
    return { status: res.status, json };
  };
