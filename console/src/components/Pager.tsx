/**
 * Keyset paging over an API list (its `next` cursor): "← Newest" once off the first page,
 * "Older →" while there is an older page. The cursor lives in the page's URL, so the browser's
 * back button returns to the newer page.
 */
export function Pager({
  cursor,
  next,
  loading,
  onNewest,
  onOlder,
}: {
  /** The cursor of the page shown; empty on the newest page. */
  cursor: string;
  /** The API's cursor of the next, older page; null or undefined when there is none (or not loaded yet). */
  next: string | null | undefined;
  loading: boolean;
  onNewest: () => void;
  onOlder: (next: string) => void;
}) {
  return (
    <div className="pager">
      {cursor && (
        <button className="secondary" onClick={onNewest}>
          ← Newest
        </button>
      )}
      {next && (
        <button className="secondary" onClick={() => onOlder(next)} disabled={loading}>
          Older →
        </button>
      )}
    </div>
  );
}
