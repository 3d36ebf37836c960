import { typeOf } from "../event-types.js";

/** `circleci.<type>` (classify.ts); a deploy workflow's type names its environment, from CIRCLECI_DEPLOY_WORKFLOWS. */
export const circleciEventTypes = [
  typeOf("circleci.job-completed", "A CircleCI job completed"),
  typeOf("circleci.workflow-completed", "A CircleCI workflow completed"),
  typeOf(
    "circleci.workflow-completed.deploy.*",
    "A deploy workflow (CIRCLECI_DEPLOY_WORKFLOWS) completed; the last part is its environment",
  ),
];
