import type { DeployStatus } from "../../shared/event.js";
import type { ArgocdBody } from "./body.js";

/**
 * A notification's deploy status. A sync running is started, one being terminated cancelled, a failed
 * or erroring one failed. A succeeded sync is a succeeded deploy only once the application is Healthy:
 * Degraded (the on-health-degraded trigger) makes it failed, any other health (Progressing, Suspended,
 * Missing, Unknown) leaves it started, still rolling out.
 */
export function argocdStatus(b: Pick<ArgocdBody, "phase" | "health">): DeployStatus {
  switch (b.phase) {
    case "Running":
      return "started";
    case "Terminating":
      return "cancelled";
    case "Failed":
    case "Error":
      return "failed";
    case "Succeeded":
      return b.health === "Healthy" ? "succeeded" : b.health === "Degraded" ? "failed" : "started";
  }
}

/** `argocd.deploy.<status>`, as the generic receiver's `deploy.<status>`. */
export const argocdType = (status: DeployStatus) => `argocd.deploy.${status}`;
