import { typesOf } from "../event-types.js";

const ACTIONS = ["create", "update", "remove"];

/**
 * `linear.<entity>.<action>` (classify.ts) for the entities Linear's webhooks send; Linear may add
 * entities, named the same way.
 */
export const linearEventTypes = [
  ...typesOf("linear.issue", "A Linear issue", ACTIONS),
  ...typesOf("linear.comment", "A Linear comment", ACTIONS),
  ...typesOf("linear.issue_label", "A Linear issue label", ACTIONS),
  ...typesOf("linear.reaction", "A Linear reaction", ACTIONS),
  ...typesOf("linear.project", "A Linear project", ACTIONS),
  ...typesOf("linear.project_update", "A Linear project update", ACTIONS),
  ...typesOf("linear.cycle", "A Linear cycle", ACTIONS),
  ...typesOf("linear.attachment", "A Linear attachment", ACTIONS),
  ...typesOf("linear.document", "A Linear document", ACTIONS),
  ...typesOf("linear.initiative", "A Linear initiative", ACTIONS),
  ...typesOf("linear.customer_need", "A Linear customer request", ACTIONS),
  ...typesOf("linear.issue_sla", "A Linear issue's SLA", ["set", "highRisk", "breached"]),
];
