import { useState, type FormEvent } from "react";
import { ApiError, request } from "../api";

/**
 * contract §11: sign in with an API token. The token is checked against the API before it is kept,
 * so a wrong one is refused here, with the API's own answer, and the form stays.
 */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const given = token.trim();
    if (!given) return setError("Enter an API token (one of the service's API_TOKENS).");
    setBusy(true);
    setError(null);
    try {
      // Any valid token may ask who it is, a publish-only one too.
      await request("/api/token", { token: given });
      onSignedIn(given);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? `Token refused: the API answered 401 (${err.message}).`
          : `Could not check the token: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form onSubmit={submit} className="card">
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Switchyard
        </h1>
        <p className="muted">Sign in with an API token. It is kept for this browser tab only.</p>
        {notice && <p className="notice">{notice}</p>}
        <label>
          API token
          <input
            name="token"
            type="password"
            autoComplete="current-password"
            autoFocus
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
