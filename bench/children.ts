import type { ChildProcess } from "node:child_process";
import { once } from "node:events";

/** Stops a service process as an orchestrator would: SIGTERM (it finishes in-flight work), SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
