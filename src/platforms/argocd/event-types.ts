import { typesOf } from "../event-types.js";

/** `argocd.deploy.<status>` (classify.ts), a closed set. */
export const argocdEventTypes = typesOf("argocd.deploy", "An Argo CD sync as a deploy", [
  "started",
  "succeeded",
  "failed",
  "cancelled",
]);
