import { Link } from "react-router";
import { kindOf, pathOf, shortKey } from "../format";

/** An entity key as a link to its page, with a dot in its kind's colour; the full key on hover. */
export function KeyLink({ k, label }: { k: string; label?: string }) {
  return (
    <Link to={pathOf(k)} title={k} className="key">
      <span className={`dot kind-${kindOf(k).replace(".", "-")}`} />
      {label ?? shortKey(k)}
    </Link>
  );
}
