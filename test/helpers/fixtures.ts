import { readFileSync, readdirSync } from "node:fs";
import type { Platform } from "../../src/shared/event.js";

const dir = new URL("../../fixtures/", import.meta.url);

/** Fixtures under fixtures/<platform>/, by file name without `.json`. */
export function loadFixtures(
  platform: Exclude<Platform, "github" | "deploy">,
): Record<string, { source: string; kind: string; payload: any }> {
  const out: Record<string, any> = {};
  for (const file of readdirSync(new URL(`${platform}/`, dir))) {
    if (file.endsWith(".json"))
      out[file.slice(0, -5)] = JSON.parse(readFileSync(new URL(`${platform}/${file}`, dir), "utf8"));
  }
  return out;
}
