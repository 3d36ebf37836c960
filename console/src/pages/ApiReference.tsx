import { api, type OpenApiOperation } from "../api";
import { ErrorNote, Loading } from "../components/Status";
import { useApi } from "../useApi";

const METHODS = ["get", "post", "put", "patch", "delete"];

type Schema = Record<string, unknown>;

/** A JSON schema in one line, as a reader scans it: `string (uuid)`, `1..500`, `"a" | "b"`, `{a, b?}`. */
function schemaSummary(schema: unknown, depth = 0): string {
  if (!schema || typeof schema !== "object") return "any";
  const s = schema as Schema;
  if (typeof s.$ref === "string") return s.$ref.split("/").at(-1)!;
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if ("const" in s) return JSON.stringify(s.const);
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(s[k]))
      return (s[k] as unknown[]).map((x) => schemaSummary(x, depth)).join(k === "allOf" ? " & " : " | ");
  }
  const type = Array.isArray(s.type) ? s.type.join(" | ") : (s.type as string | undefined);
  if (type === "array") return `${schemaSummary(s.items, depth)}[]`;
  if (type === "object" || s.properties) {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    if (depth > 1) return "{…}";
    const fields = Object.entries(props).map(
      ([k, v]) => `${k}${required.has(k) ? "" : "?"}: ${schemaSummary(v, depth + 1)}`,
    );
    return fields.length ? `{ ${fields.join(", ")} }` : "object";
  }
  const bounds = s.minimum !== undefined || s.maximum !== undefined ? ` ${s.minimum ?? ""}..${s.maximum ?? ""}` : "";
  const format = typeof s.format === "string" ? ` (${s.format})` : "";
  return `${type ?? "any"}${format}${bounds}`;
}

/** GET /api/openapi.json rendered plainly: every path, method, parameter, body and answer. */
export default function ApiReference() {
  const doc = useApi((s) => api.openapi(s), []);
  if (doc.error) return <ErrorNote error={doc.error} what="No API description" />;
  if (!doc.data) return <Loading />;
  const { info, paths = {}, components } = doc.data;
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as OpenApiOperation })),
  );
  return (
    <>
      <h1>
        {info?.title ?? "API"}{" "}
        <span className="muted small">
          {info?.version} · OpenAPI {doc.data.openapi}
        </span>
      </h1>
      {info?.description && (
        <p>
          <Text>{info.description}</Text>
        </p>
      )}
      <nav className="card toc">
        <ul className="plain columns">
          {operations.map(({ path, method }) => (
            <li key={`${method} ${path}`}>
              <a href={`#${anchor(method, path)}`}>
                <span className={`method ${method}`}>{method.toUpperCase()}</span> {path}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {operations.map(({ path, method, op }) => (
        <Operation key={`${method} ${path}`} path={path} method={method} op={op} />
      ))}
      {components?.schemas && (
        <section className="card">
          <h2>Schemas</h2>
          {Object.entries(components.schemas).map(([name, schema]) => (
            <div key={name} id={`schema-${name}`}>
              <h3>{name}</h3>
              <code className="schema">{schemaSummary(schema)}</code>
            </div>
          ))}
        </section>
      )}
    </>
  );
}

/** The document's `code` spans as code; the rest as text (no HTML is ever interpreted). */
function Text({ children }: { children: string | undefined }) {
  if (!children) return null;
  return <>{children.split("`").map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part))}</>;
}

const anchor = (method: string, path: string) => `${method}-${path.replace(/[^\w]+/g, "-")}`;

function Operation({ path, method, op }: { path: string; method: string; op: OpenApiOperation }) {
  const body = op.requestBody?.content ? Object.entries(op.requestBody.content) : [];
  return (
    <section className="card operation" id={anchor(method, path)}>
      <h2>
        <span className={`method ${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
      </h2>
      {op.summary && (
        <p>
          <Text>{op.summary}</Text>
        </p>
      )}
      {op.description && (
        <p className="muted pre-line">
          <Text>{op.description}</Text>
        </p>
      )}
      {op.parameters && op.parameters.length > 0 && (
        <table className="compact">
          <thead>
            <tr>
              <th>parameter</th>
              <th>in</th>
              <th>type</th>
              <th>description</th>
            </tr>
          </thead>
          <tbody>
            {op.parameters.map((p) => (
              <tr key={`${p.in} ${p.name}`}>
                <td>
                  <code>{p.name}</code>
                  {p.required && <span title="required">*</span>}
                </td>
                <td>{p.in}</td>
                <td>
                  <code className="schema">{schemaSummary(p.schema)}</code>
                </td>
                <td>
                  <Text>{p.description ?? ((p.schema as Schema | undefined)?.description as string | undefined)}</Text>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {body.map(([type, c]) => (
        <p key={type}>
          Body <span className="muted">({type})</span>: <code className="schema">{schemaSummary(c.schema)}</code>
        </p>
      ))}
      <dl className="responses">
        {Object.entries(op.responses ?? {}).map(([code, r]) => (
          <div key={code}>
            <dt className={`status s${code[0]}`}>{code}</dt>
            <dd>
              <Text>{r.description}</Text>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
