import type { ReactNode } from "react";
import { Link, useLocation } from "react-router";
import { api, type Deploy as DeployRow, type DeployChanges } from "../api";
import { Badge } from "../components/Badge";
import { ExternalLink } from "../components/ExternalLink";
import { KeyLink } from "../components/KeyLink";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { fmtTime, shortKey } from "../format";
import { keyFromPath } from "../route-key";
import { useApi } from "../useApi";

/** `/deploys/<key>` (contract §11): what a deploy shipped, the deploy before it, and whether the range is known. */
export default function Deploy() {
  const key = keyFromPath(useLocation().pathname, "/deploys/");
  const changes = useApi((s) => api.deployChanges(key, s), [key]);
  if (changes.error) return <ErrorNote error={changes.error} what={`No deploy ${key}`} />;
  if (!changes.data) return <Loading />;
  const c = changes.data;
  const d = c.deploy;
  return (
    <>
      <p className="crumb">Deploy</p>
      <h1>
        {shortKey(d.key)} <Badge value={d.status} />
      </h1>
      <p className="muted">
        <strong>{d.repository}</strong> → <strong>{d.environment}</strong> · <span className="mono">{d.sha}</span>
        {d.finishedAt && <> · finished {fmtTime(d.finishedAt)} UTC</>}
        {d.url && (
          <>
            {" "}
            · <ExternalLink url={d.url}>pipeline</ExternalLink>
          </>
        )}{" "}
        · <Link to={`/entities/${encodeURIComponent(d.key)}`}>link graph</Link> ·{" "}
        <Link to={`/dora?repository=${encodeURIComponent(d.repository)}`}>DORA</Link>
      </p>
      <Range changes={c} />
      <div className="grid three">
        <Shipped title="Pull requests" count={c.pullRequests.length} empty="No pull request.">
          {c.pullRequests.map((p) => (
            <li key={p.key}>
              <KeyLink k={p.key} /> {p.title}
              {p.mergedAt && <span className="muted"> · merged {fmtTime(p.mergedAt)}</span>}
            </li>
          ))}
        </Shipped>
        <Shipped title="Issues" count={c.issues.length} empty="No issue.">
          {c.issues.map((i) => (
            <li key={i.key}>
              <KeyLink k={i.key} /> {i.title} {i.state && <Badge value={i.state} />}{" "}
              <span className="muted" title="confidence of the link">
                ({i.confidence})
              </span>
            </li>
          ))}
        </Shipped>
        <Shipped title="Commits" count={c.commits.length} empty="No commit.">
          {c.commits.map((k) => (
            <li key={k.key}>
              <KeyLink k={k.key} label={k.sha.slice(0, 7)} /> {k.message?.split("\n")[0] ?? ""}
              {k.authoredAt && <span className="muted"> · {fmtTime(k.authoredAt)}</span>}
            </li>
          ))}
        </Shipped>
      </div>
    </>
  );
}

/** Where the range of this deploy starts, said plainly when it is not known. */
function Range({ changes: c }: { changes: DeployChanges }) {
  const { repository, environment } = c.deploy;
  return (
    <section className={`card range ${c.rangeKnown ? "known" : "unknown"}`} data-testid="range">
      {c.rollsBack && (
        <p>
          <Badge value="rollback" /> Rolls back <KeyLink k={c.rollsBack} />: it ships nothing new.
        </p>
      )}
      {c.rangeKnown && c.previous && (
        <p>
          <strong>Range known:</strong> ships the changes since the previous successful deploy of {repository} to{" "}
          {environment}.
        </p>
      )}
      {!c.rangeKnown && !c.previous && (
        <p>
          <strong>Range unknown:</strong> this is the first deploy of {repository} to {environment} that Switchyard has
          seen, so there is no previous deploy to count from. It is credited only with its own commit (
          {c.deploy.sha.slice(0, 7)}) and what that commit belongs to.
        </p>
      )}
      {!c.rangeKnown && c.previous && (
        <p>
          <strong>Range unknown:</strong> the commits between the previous deploy and this one are not known yet (no
          push of them was received); it is credited only with its own commit.
        </p>
      )}
      {c.previous ? <Previous d={c.previous} /> : <p className="muted">Previous deploy: none.</p>}
    </section>
  );
}

function Previous({ d }: { d: DeployRow }) {
  return (
    <p>
      Previous deploy: <KeyLink k={d.key} /> <Badge value={d.status} />{" "}
      <span className="mono">{d.sha.slice(0, 7)}</span>
      {d.finishedAt && <span className="muted"> · finished {fmtTime(d.finishedAt)} UTC</span>}
    </p>
  );
}

function Shipped({
  title,
  count,
  empty,
  children,
}: {
  title: string;
  count: number;
  empty: string;
  children: ReactNode;
}) {
  return (
    <section className="card" data-testid={`shipped-${title.toLowerCase().replace(" ", "-")}`}>
      <h2>
        {title} <span className="count">{count}</span>
      </h2>
      {count === 0 ? <Empty>{empty}</Empty> : <ul className="plain">{children}</ul>}
    </section>
  );
}
