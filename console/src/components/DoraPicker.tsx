import { Link } from "react-router";
import type { Group, Repository } from "../api";
import { fmtTime, plural } from "../format";
import type { Loaded } from "../useApi";
import { Empty, ErrorNote, Loading } from "./Status";

/** `/dora?…` for a scope, keeping the window and bucket chosen; a new scope starts from production. */
export function scopeLink(params: URLSearchParams, to: { group?: string; repository?: string }): string {
  const next = new URLSearchParams(params);
  for (const k of ["group", "repository", "environment"]) next.delete(k);
  if (to.group) next.set("group", to.group);
  else if (to.repository) next.set("repository", to.repository);
  return `/dora?${next.toString()}`;
}

type ScopeLinker = (to: { group?: string; repository?: string }) => string;

/**
 * Where the DORA page starts: every group (its globs, services and the known repositories it holds)
 * and every repository Switchyard knows of (it has deploys or pull requests), each a link to its
 * figures.
 */
export function DoraPicker(props: { groups: Loaded<Group[]>; repositories: Loaded<Repository[]>; link: ScopeLinker }) {
  const { groups, repositories, link } = props;
  const held = (g: string) => (repositories.data ?? []).filter((r) => r.groups.includes(g));
  return (
    <>
      <section className="card" data-testid="dora-groups">
        <h2>Groups</h2>
        <ErrorNote error={groups.error} />
        {groups.loading && !groups.data && <Loading />}
        {groups.data?.length === 0 && (
          <Empty>No group yet: PUT /api/groups/:name (or `switchyard groups put`) names a team's repositories.</Empty>
        )}
        {!!groups.data?.length && (
          <table className="pick">
            <thead>
              <tr>
                <th>group</th>
                <th>repositories (globs)</th>
                <th>services</th>
                <th>known repositories it holds</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.map((g) => (
                <tr key={g.name}>
                  <th>
                    <Link to={link({ group: g.name })}>{g.name}</Link>
                    {g.description && <div className="muted small">{g.description}</div>}
                  </th>
                  <td className="mono">{g.repositories.join(", ") || "—"}</td>
                  <td className="mono">{g.services.join(", ") || "—"}</td>
                  <td>
                    <RepositoryLinks names={held(g.name).map((r) => r.repository)} link={link} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" data-testid="dora-repositories">
        <h2>Repositories</h2>
        <ErrorNote error={repositories.error} />
        {repositories.loading && !repositories.data && <Loading />}
        {repositories.data?.length === 0 && <Empty>No deploy or pull request received yet.</Empty>}
        {!!repositories.data?.length && (
          <table className="pick">
            <thead>
              <tr>
                <th>repository</th>
                <th>deploys</th>
                <th>pull requests</th>
                <th>last successful deploy (UTC)</th>
                <th>groups</th>
              </tr>
            </thead>
            <tbody>
              {repositories.data.map((r) => (
                <tr key={r.repository}>
                  <th>
                    <Link to={link({ repository: r.repository })}>{r.repository}</Link>
                    <Services of={r} />
                  </th>
                  <td>{r.deploys}</td>
                  <td>{r.pullRequests}</td>
                  <td>{fmtTime(r.lastDeployAt)}</td>
                  <td>
                    <ul className="inline">
                      {r.groups.map((g) => (
                        <li key={g}>
                          <Link to={link({ group: g })}>{g}</Link>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** Repositories as links to their own figures; `none known` when a group holds none yet. */
export function RepositoryLinks({ names, link }: { names: string[]; link: ScopeLinker }) {
  if (names.length === 0) return <span className="muted">none known</span>;
  return (
    <ul className="inline" title={plural(names.length, "repository", "repositories")}>
      {names.map((r) => (
        <li key={r}>
          <Link to={link({ repository: r })}>{r}</Link>
        </li>
      ))}
    </ul>
  );
}

/** The services a repository's deploys name, but its own name (a deploy's service when it names none). */
function Services({ of }: { of: Repository }) {
  const named = of.services.filter((s) => s.toLowerCase() !== of.repository.toLowerCase());
  return named.length > 0 ? <div className="muted small">{named.join(", ")}</div> : null;
}
