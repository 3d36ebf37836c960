import { useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { api, linkId, type Entity as EntityRow, type EntityGraph, type Link as GraphLink } from "../api";
import { Badge } from "../components/Badge";
import { ExternalLink } from "../components/ExternalLink";
import { KeyLink } from "../components/KeyLink";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { fmtTime, kindLabel, kindLabelPlural, kindOf, pathOf } from "../format";
import { useModule } from "../lazy-module";
import { keyFromPath } from "../route-key";
import { useApi } from "../useApi";

const DEPTHS = [0, 1, 2, 3, 4, 5];

// cytoscape is most of this page's weight: it loads while the entity is fetched, not before.
const loadGraph = () => import("../components/LinkGraph");

/** `/entities/<url-encoded key>` (contract §11): the entity, what it is linked to, and its timeline. */
export default function Entity() {
  const key = keyFromPath(useLocation().pathname, "/entities/");
  const [params, setParams] = useSearchParams();
  const depth = Number(params.get("depth") ?? 1);
  const graph = useApi((s) => api.entity(key, depth, s), [key, depth]);
  const [selected, setSelected] = useState<string | null>(null);
  const navigate = useNavigate();
  const LinkGraph = useModule(loadGraph)?.default;

  if (graph.error) return <ErrorNote error={graph.error} what={`Nothing is known of ${key}`} />;
  if (!graph.data) return <Loading />;
  const { entity, links, timeline, related } = graph.data;
  const chosen = links.find((l) => linkId(l) === selected);

  return (
    <>
      <Header entity={entity} />
      <section className="card">
        <h2>
          Links <span className="count">{links.length}</span>
          <label className="inline-control">
            depth{" "}
            <select
              name="depth"
              value={depth}
              onChange={(e) => {
                setSelected(null);
                setParams({ depth: e.target.value });
              }}
            >
              {DEPTHS.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          {graph.loading && <span className="muted small"> loading…</span>}
        </h2>
        {links.length === 0 ? (
          <Empty>No link at this depth.</Empty>
        ) : LinkGraph ? (
          <LinkGraph
            root={entity.key}
            links={links}
            related={related}
            selected={selected}
            onSelectLink={setSelected}
            onOpen={(k) => navigate(pathOf(k))}
          />
        ) : (
          <div className="graph" />
        )}
        <p className="muted small">Click an edge for its evidence; double-click a node to open it.</p>
        {chosen && <Evidence link={chosen} />}
      </section>
      <div className="grid two">
        <Connected graph={graph.data} />
        <section className="card">
          <h2>
            Timeline <span className="count">{timeline.length}</span>
          </h2>
          {timeline.length === 0 ? (
            <Empty>No event names this entity.</Empty>
          ) : (
            <ol className="timeline">
              {timeline.map((e) => (
                <li key={e.id}>
                  <span className="muted nowrap">{fmtTime(e.occurredAt)}</span>{" "}
                  <Link to={`/events/${e.id}`}>{e.type}</Link>
                  {e.actor && <span className="muted"> by {e.actor}</span>}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <LinkTable links={links} selected={selected} onSelect={setSelected} />
    </>
  );
}

function Header({ entity }: { entity: EntityRow }) {
  return (
    <>
      <p className="crumb">{kindLabel(entity.kind)}</p>
      <h1>
        {entity.title ?? entity.key} {entity.state && <Badge value={entity.state} />}
      </h1>
      <p className="muted">
        <span className="mono">{entity.key}</span>
        {entity.firstSeenAt && <> · first seen {fmtTime(entity.firstSeenAt)}</>}
        {entity.lastSeenAt && <> · last seen {fmtTime(entity.lastSeenAt)}</>}
        {entity.url && (
          <>
            {" "}
            · <ExternalLink url={entity.url}>open in {kindOf(entity.key).split(".")[0]}</ExternalLink>
          </>
        )}
        {entity.kind === "deploy" && (
          <>
            {" "}
            · <Link to={pathOf(entity.key)}>what it shipped →</Link>
          </>
        )}
      </p>
    </>
  );
}

/** The link's rule, confidence and the events that gave it: each one click away. */
function Evidence({ link }: { link: GraphLink }) {
  return (
    <div className="evidence" data-testid="evidence">
      <strong>
        <KeyLink k={link.from} /> {link.relation} <KeyLink k={link.to} />
      </strong>{" "}
      rule <code>{link.rule}</code>, confidence {link.confidence}, since {fmtTime(link.createdAt)}. Evidence:{" "}
      {link.evidence.map((id, i) => (
        <Link key={id} to={`/events/${id}`} className="evidence-link">
          event {i + 1}
        </Link>
      ))}
    </div>
  );
}

/** What the entity is connected to, by kind; deploys that ship it first, with their environment. */
function Connected({ graph }: { graph: EntityGraph }) {
  const { entity, links, related } = graph;
  const byKey = new Map(related.map((e) => [e.key, e]));
  const keys = new Set(links.flatMap((l) => [l.from, l.to]));
  keys.delete(entity.key);
  const shippedBy = links.filter((l) => l.to === entity.key && l.relation === "ships").map((l) => l.from);
  const groups = new Map<string, string[]>();
  for (const k of [...keys].sort()) {
    const kind = kindOf(k);
    if (kind === "deploy" && shippedBy.includes(k)) continue;
    const list = groups.get(kind);
    if (list) list.push(k);
    else groups.set(kind, [k]);
  }
  const describe = (k: string) => byKey.get(k)?.title ?? "";
  return (
    <section className="card connected">
      <h2>Connected</h2>
      {shippedBy.length > 0 && (
        <div className="group" data-kind="shipped-by">
          <h3>Shipped by</h3>
          <ul>
            {shippedBy.map((k) => (
              <li key={k}>
                <KeyLink k={k} /> <span>{describe(k)}</span>{" "}
                {byKey.get(k)?.state && <Badge value={byKey.get(k)!.state!} />}
              </li>
            ))}
          </ul>
        </div>
      )}
      {[...groups].map(([kind, list]) => (
        <div key={kind} className="group" data-kind={kind}>
          <h3>
            {kindLabelPlural(kind)} <span className="count">{list.length}</span>
          </h3>
          <ul>
            {list.slice(0, 50).map((k) => (
              <li key={k}>
                <KeyLink k={k} /> <span className="muted">{describe(k)}</span>
              </li>
            ))}
            {list.length > 50 && <li className="muted">and {list.length - 50} more (see the links below)</li>}
          </ul>
        </div>
      ))}
      {keys.size === 0 && <Empty>Nothing at this depth.</Empty>}
    </section>
  );
}

function LinkTable({
  links,
  selected,
  onSelect,
}: {
  links: GraphLink[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (!links.length) return null;
  return (
    <section className="card">
      <h2>All links</h2>
      <table className="links">
        <thead>
          <tr>
            <th>from</th>
            <th>relation</th>
            <th>to</th>
            <th>rule</th>
            <th>confidence</th>
            <th>evidence</th>
          </tr>
        </thead>
        <tbody>
          {links.map((l) => (
            <tr
              key={linkId(l)}
              className={linkId(l) === selected ? "selected" : ""}
              onClick={() => onSelect(linkId(l))}
            >
              <td>
                <KeyLink k={l.from} />
              </td>
              <td>{l.relation}</td>
              <td>
                <KeyLink k={l.to} />
              </td>
              <td>
                <code>{l.rule}</code>
              </td>
              <td className="num">{l.confidence}</td>
              <td>
                {l.evidence.map((id, i) => (
                  <Link key={id} to={`/events/${id}`} className="evidence-link" onClick={(e) => e.stopPropagation()}>
                    {i + 1}
                  </Link>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
