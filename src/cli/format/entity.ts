import { fields, table } from "./table.js";
import { linkTree, type TreeEntity, type TreeLink } from "./tree.js";
import { when } from "./values.js";
import type { Entity, TimelineEvent } from "../../api/schemas/answers.js";

/** What `entity` reads of GET /api/entities/:key (contract §6). */
export interface EntityAnswer {
  entity: TreeEntity & Pick<Entity, "kind" | "url" | "firstSeenAt" | "lastSeenAt">;
  links: TreeLink[];
  timeline: Array<Pick<TimelineEvent, "id" | "type" | "occurredAt" | "actor">>;
  related: TreeEntity[];
}

/** `switchyard entity`: the entity, its links as a tree, its timeline. */
export function entityView(a: EntityAnswer): string {
  const e = a.entity;
  return [
    fields([
      ["kind", e.kind],
      ["url", e.url],
      ["first seen", e.firstSeenAt ? when(e.firstSeenAt) : null],
      ["last seen", e.lastSeenAt ? when(e.lastSeenAt) : null],
    ]),
    "",
    `Links (${a.links.length})`,
    linkTree(e, a.links, a.related),
    "",
    `Timeline (${a.timeline.length})`,
    table(
      ["occurred", "type", "actor", "event id"],
      a.timeline.map((t) => [when(t.occurredAt), t.type, t.actor, t.id]),
    ),
  ].join("\n");
}
