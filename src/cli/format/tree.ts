import { clip } from "./values.js";

export interface TreeLink {
  from: string;
  to: string;
  relation: string;
  rule: string;
  confidence: number;
}

export interface TreeEntity {
  key: string;
  title?: string | null;
  state?: string | null;
}

/** `key  title [state]`, as one node of the tree reads. */
function label(key: string, entities: Map<string, TreeEntity>): string {
  const e = entities.get(key);
  const title = e?.title ? `  ${clip(e.title, 60)}` : "";
  const state = e?.state ? ` [${e.state}]` : "";
  return `${key}${title}${state}`;
}

/** Links between the same two entities in the same direction with the same relation, one line. */
interface Edge {
  other: string;
  out: boolean;
  relation: string;
  links: TreeLink[];
}

/**
 * An entity's links as a tree rooted at the entity: each node's children are the entities linked to
 * it (`→` the link points away from the parent, `←` towards it), with relation and, per rule that
 * made the link, the confidence. The graph can have cycles and shared neighbours: an entity is
 * expanded once, where it is nearest the root (breadth-first), with its title; elsewhere it is only
 * named, with `(see above)` or `(see below)`.
 */
export function linkTree(root: TreeEntity, links: TreeLink[], related: TreeEntity[] = []): string {
  const entities = new Map<string, TreeEntity>([...related.map((e) => [e.key, e] as const), [root.key, root]]);
  const edges = new Map<string, Map<string, Edge>>();
  const add = (key: string, other: string, out: boolean, link: TreeLink) => {
    const around = edges.get(key) ?? new Map<string, Edge>();
    edges.set(key, around);
    const id = `${other}|${out}|${link.relation}`;
    const edge = around.get(id) ?? { other, out, relation: link.relation, links: [] };
    edge.links.push(link);
    around.set(id, edge);
  };
  for (const link of links) {
    add(link.from, link.to, true, link);
    if (link.to !== link.from) add(link.to, link.from, false, link);
  }
  const children = (key: string) =>
    [...(edges.get(key)?.values() ?? [])].sort(
      (a, b) => a.relation.localeCompare(b.relation) || a.other.localeCompare(b.other) || Number(a.out) - Number(b.out),
    );
  // Breadth-first: where each entity is expanded (its parent in the tree).
  const expandedUnder = new Map<string, string | null>([[root.key, null]]);
  for (let frontier = [root.key]; frontier.length;) {
    const next: string[] = [];
    for (const key of frontier)
      for (const { other } of children(key))
        if (!expandedUnder.has(other)) {
          expandedUnder.set(other, key);
          next.push(other);
        }
    frontier = next;
  }
  const lines = [label(root.key, entities)];
  const printed = new Set([root.key]);
  const walk = (key: string, prefix: string, parent: string | null) => {
    // Links to the parent are listed under the parent already.
    const list = children(key).filter((e) => e.other !== parent);
    list.forEach((edge, i) => {
      const last = i === list.length - 1;
      const expand = expandedUnder.get(edge.other) === key && !printed.has(edge.other);
      if (expand) printed.add(edge.other);
      const rules = edge.links.map((l) => `${l.rule} ${l.confidence}`).join(", ");
      const name = expand ? label(edge.other, entities) : edge.other;
      const where = expand ? "" : printed.has(edge.other) ? " (see above)" : " (see below)";
      lines.push(`${prefix}${last ? "└─" : "├─"} ${edge.relation} ${edge.out ? "→" : "←"} ${name} (${rules})${where}`);
      if (expand) walk(edge.other, `${prefix}${last ? "   " : "│  "}`, key);
    });
  };
  walk(root.key, "", null);
  return lines.join("\n");
}
