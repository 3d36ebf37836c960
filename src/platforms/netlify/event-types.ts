import { typesOf } from "../event-types.js";

/** `netlify.<X-Netlify-Event>`: building, created (succeeded) and failed make deploys; Netlify's others too. */
export const netlifyEventTypes = typesOf("netlify", "A Netlify deploy notification", [
  "deploy_building",
  "deploy_created",
  "deploy_failed",
  "deploy_locked",
  "deploy_unlocked",
  "deploy_request_pending",
  "deploy_request_accepted",
  "deploy_request_rejected",
]);
