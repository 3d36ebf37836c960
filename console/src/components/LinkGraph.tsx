import cytoscape, { type ElementDefinition } from "cytoscape";
import { useEffect, useRef } from "react";
import { linkId, type Entity, type Link } from "../api";
import { kindOf, shortKey } from "../format";

/** Colours and shapes per kind: the same colours as the dots of KeyLink (styles/parts.css). */
export const KIND_STYLE: Record<string, { color: string; shape: cytoscape.Css.NodeShape }> = {
  "github.pr": { color: "#6f42c1", shape: "round-rectangle" },
  "github.commit": { color: "#57606a", shape: "ellipse" },
  "github.issue": { color: "#1a7f37", shape: "round-rectangle" },
  "github.repo": { color: "#24292f", shape: "rectangle" },
  "linear.issue": { color: "#5e6ad2", shape: "hexagon" },
  "slack.message": { color: "#e01e5a", shape: "round-tag" },
  deploy: { color: "#d97706", shape: "diamond" },
  incident: { color: "#cf222e", shape: "star" },
};
const OTHER = { color: "#8c959f", shape: "ellipse" as const };

/** Beyond this many links, edge labels show only for the selected edge (they would hide the graph). */
const LABELLED_EDGES = 40;
/** Beyond this many nodes, node labels show on hover only, and panning draws a snapshot: big graphs stay fluid. */
const LABELLED_NODES = 80;

/** Hops from `root` over the links, both directions: how far out each node is drawn. */
function hops(root: string, links: Link[]): Map<string, number> {
  const next = new Map<string, string[]>();
  const add = (a: string, b: string) => {
    const list = next.get(a);
    if (list) list.push(b);
    else next.set(a, [b]);
  };
  for (const l of links) {
    add(l.from, l.to);
    add(l.to, l.from);
  }
  const depth = new Map([[root, 0]]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i]!;
    for (const other of next.get(key) ?? []) {
      if (depth.has(other)) continue;
      depth.set(other, depth.get(key)! + 1);
      queue.push(other);
    }
  }
  return depth;
}

/**
 * Rings around the entity for a star (depth 1); deeper graphs have links across rings, so they are
 * drawn as layers by hops from the entity. Both are deterministic: the same graph, the same picture.
 */
function layoutFor(root: string, maxDepth: number): cytoscape.LayoutOptions {
  if (maxDepth <= 1) {
    return {
      name: "concentric",
      concentric: (n: cytoscape.NodeSingular) => n.data("ring") as number,
      levelWidth: () => 1,
      minNodeSpacing: 110,
      padding: 20,
      animate: false,
    } as cytoscape.ConcentricLayoutOptions;
  }
  return {
    name: "breadthfirst",
    roots: [root],
    directed: false,
    spacingFactor: 1.1,
    avoidOverlap: true,
    padding: 20,
    animate: false,
  } as cytoscape.BreadthFirstLayoutOptions;
}

interface Props {
  root: string;
  links: Link[];
  related: Entity[];
  selected: string | null;
  onSelectLink: (id: string | null) => void;
  onOpen: (key: string) => void;
}

/**
 * The link graph (contract §5) drawn with cytoscape: nodes by kind, edges labelled with relation,
 * rule and confidence. A click on an edge selects its link (its evidence is listed below the
 * graph); a double click on a node opens that entity.
 */
export default function LinkGraph({ root, links, related, selected, onSelectLink, onOpen }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<cytoscape.Core | null>(null);
  // Handlers change identity on every render; the graph is built once per data.
  const handlers = useRef({ onSelectLink, onOpen });
  handlers.current = { onSelectLink, onOpen };

  useEffect(() => {
    if (!container.current) return;
    const titles = new Map(related.map((e) => [e.key, e.title]));
    const depth = hops(root, links);
    const maxDepth = Math.max(...depth.values());
    const nodes: ElementDefinition[] = [...depth.keys()].map((key) => {
      const style = KIND_STYLE[kindOf(key)] ?? OTHER;
      return {
        data: {
          id: key,
          label: shortKey(key),
          title: titles.get(key) ?? "",
          color: style.color,
          shape: style.shape,
          ring: maxDepth - depth.get(key)!,
        },
        classes: key === root ? "root" : "",
      };
    });
    const edges: ElementDefinition[] = links.map((l) => ({
      data: {
        id: linkId(l),
        source: l.from,
        target: l.to,
        label: `${l.relation} · ${l.rule} · ${l.confidence}`,
      },
    }));
    const many = links.length > LABELLED_EDGES;
    const big = nodes.length > LABELLED_NODES;
    const graph = cytoscape({
      container: container.current,
      elements: [...nodes, ...edges],
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      minZoom: 0.2,
      maxZoom: 3,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(color)",
            shape: "data(shape)" as cytoscape.Css.NodeShape,
            label: big ? "" : "data(label)",
            "font-size": 11,
            color: "#1f2328",
            "text-valign": "bottom",
            "text-margin-y": 4,
            width: 26,
            height: 26,
          },
        },
        { selector: "node.hover, node.root", style: { label: "data(label)" } },
        { selector: "node.root", style: { width: 40, height: 40, "border-width": 3, "border-color": "#f5b942" } },
        {
          selector: "edge",
          style: {
            width: 1.5,
            "line-color": "#afb8c1",
            "target-arrow-color": "#afb8c1",
            "target-arrow-shape": "triangle",
            "curve-style": "bezier",
            // Several links between the same two entities fan out instead of drawing over each other.
            "control-point-step-size": 70,
            label: many ? "" : "data(label)",
            "font-size": 9,
            color: "#57606a",
            "text-rotation": "autorotate",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85,
            "text-background-padding": "1px",
          },
        },
        {
          selector: "edge:selected",
          style: { width: 3, "line-color": "#0969da", "target-arrow-color": "#0969da", label: "data(label)" },
        },
      ],
      layout: layoutFor(root, maxDepth),
    });
    graph.on("tap", "edge", (e) => handlers.current.onSelectLink(e.target.id() as string));
    graph.on("tap", (e) => e.target === graph && handlers.current.onSelectLink(null));
    graph.on("dbltap", "node", (e) => handlers.current.onOpen(e.target.id() as string));
    graph.on("mouseover", "node", (e) => e.target.addClass("hover"));
    graph.on("mouseout", "node", (e) => e.target.removeClass("hover"));
    cy.current = graph;
    container.current.dataset.nodes = String(nodes.length);
    container.current.dataset.edges = String(edges.length);
    return () => {
      graph.destroy();
      cy.current = null;
    };
  }, [root, links, related]);

  // Selection from the table below follows to the graph.
  useEffect(() => {
    const graph = cy.current;
    if (!graph) return;
    graph.elements().unselect();
    if (selected) graph.getElementById(selected).select();
  }, [selected]);

  return (
    <div className="graph-wrap">
      <div ref={container} className="graph" data-testid="link-graph" />
      <ul className="legend">
        {Object.entries(KIND_STYLE).map(([kind, s]) => (
          <li key={kind}>
            <span className="dot" style={{ background: s.color }} /> {kind}
          </li>
        ))}
      </ul>
    </div>
  );
}
