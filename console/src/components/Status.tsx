import type { ReactNode } from "react";
import { ApiError } from "../api";

export function Loading({ what = "Loading" }: { what?: string }) {
  return <p className="muted loading">{what}…</p>;
}

/** An API refusal as the user can act on it: the status, the message and every problem listed. */
export function ErrorNote({ error, what }: { error: Error | undefined; what?: string }) {
  if (!error) return null;
  const status = error instanceof ApiError ? error.status : null;
  const problems = error instanceof ApiError ? error.problems : [];
  return (
    <div className="error" role="alert">
      <strong>{what ?? (status === 404 ? "Not found" : "Request failed")}</strong>
      {status ? <span className="muted"> ({status})</span> : null}: {error.message}
      {problems.length > 1 && (
        <ul>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Problems to fix, listed as they were said (a form's validation, the API's 422 problems). */
export function ProblemList({ problems, title, testId }: { problems: string[]; title?: string; testId?: string }) {
  if (problems.length === 0) return null;
  return (
    <div className="error" role="alert" data-testid={testId}>
      {title && <strong>{title}</strong>}
      <ul>
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted empty">{children}</p>;
}
