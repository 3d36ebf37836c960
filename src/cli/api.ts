/**
 * The CLI's client of a running instance's /api (SWITCHYARD_URL, SWITCHYARD_TOKEN or the first of
 * API_TOKENS). Refusals become ApiError with the API's own message and answer.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The API's JSON answer, for --json. */
    readonly body: unknown,
  ) {
    super(message);
  }
}

export type Api = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

export function apiClient(base: string, token: string): Api {
  const root = base.replace(/\/$/, "");
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${root}/api${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(
        `cannot reach ${root} (${cause?.code ?? cause?.message ?? (err as Error).message}); set SWITCHYARD_URL`,
        { cause: err },
      );
    }
    const text = await res.text();
    let json: unknown = res.status === 204 ? { ok: true } : undefined;
    try {
      if (text) json = JSON.parse(text);
    } catch {
      json = undefined; // not JSON: a proxy's page, say
    }
    if (!res.ok) {
      const said = (json as { error?: string } | undefined)?.error ?? res.statusText;
      const hint = res.status === 401 ? " (set SWITCHYARD_TOKEN to one of the service's API_TOKENS)" : "";
      throw new ApiError(res.status, `${res.status} ${said}${hint}`, json ?? { error: said });
    }
    if (json === undefined) throw new Error(`${method} ${path}: the answer is not JSON`);
    return json as T;
  };
}
