import { typeOf } from "../event-types.js";
import { VERCEL_DEPLOY_STATUS } from "./classify.js";

/** `vercel.<Vercel's type>`: the deployment types that make deploys, and the others Vercel documents. */
export const vercelEventTypes = [
  ...Object.entries(VERCEL_DEPLOY_STATUS).map(([type, status]) =>
    typeOf(`vercel.${type}`, `A Vercel deployment, a deploy ${status}`),
  ),
  typeOf("vercel.deployment.ready", "A Vercel deployment ready"),
  typeOf("vercel.deployment.check-rerequested", "A Vercel deployment check requested again"),
  typeOf("vercel.project.created", "A Vercel project created"),
  typeOf("vercel.project.removed", "A Vercel project removed"),
  typeOf("vercel.domain.created", "A Vercel domain created"),
  typeOf("vercel.integration-configuration.removed", "A Vercel integration configuration removed"),
  typeOf("vercel.integration-configuration.permission-upgraded", "A Vercel integration's permissions upgraded"),
];
