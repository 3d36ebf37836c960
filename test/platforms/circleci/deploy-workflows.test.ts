import { describe, expect, it } from "vitest";
import { deployEnvironment, parseDeployWorkflows } from "../../../src/platforms/circleci/deploy-workflows.js";
import { ConfigError, loadConfig } from "../../../src/shared/config.js";

const envOf = (setting: string, name: string) => deployEnvironment(parseDeployWorkflows(setting), name);

describe("CIRCLECI_DEPLOY_WORKFLOWS", () => {
  it("maps a workflow name to the first matching glob's environment", () => {
    const setting = "deploy-prod*=production, deploy-*=staging,release";
    expect(envOf(setting, "deploy-prod-eu")).toBe("production");
    expect(envOf(setting, "deploy-qa")).toBe("staging");
    // A glob alone deploys to production.
    expect(envOf(setting, "release")).toBe("production");
    expect(envOf(setting, "build-test")).toBeNull();
    // First match wins: the order of the pairs decides.
    expect(envOf("deploy-*=staging,deploy-prod*=production", "deploy-prod-eu")).toBe("staging");
  });

  it("matches without case, with ? for one character", () => {
    expect(envOf("*deploy*", "Build-Test-DEPLOY")).toBe("production");
    expect(envOf("deploy-?=canary", "deploy-1")).toBe("canary");
    expect(envOf("deploy-?=canary", "deploy-12")).toBeNull();
  });

  it("defaults to *deploy*=production and reads an empty value as no deploys", () => {
    const config = loadConfig({});
    expect(deployEnvironment(config.CIRCLECI_DEPLOY_WORKFLOWS, "build-test-deploy")).toBe("production");
    expect(deployEnvironment(config.CIRCLECI_DEPLOY_WORKFLOWS, "build")).toBeNull();
    expect(parseDeployWorkflows(" , ,")).toEqual([]);
    expect(deployEnvironment(loadConfig({ CIRCLECI_DEPLOY_WORKFLOWS: "" }).CIRCLECI_DEPLOY_WORKFLOWS, "deploy")).toBe(
      null,
    );
  });

  it("refuses a bad value at config load, naming the entry but not its value", () => {
    for (const bad of ["deploy=", "=production", "deploy=prod env", "deploy=prod.eu", `deploy=${"e".repeat(65)}`]) {
      expect(() => parseDeployWorkflows(bad), bad).toThrow(/entry 1/);
      let error: unknown;
      try {
        loadConfig({ CIRCLECI_DEPLOY_WORKFLOWS: `ok=staging,${bad}` });
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/CIRCLECI_DEPLOY_WORKFLOWS: entry 2/);
      expect((error as Error).message).not.toContain(bad);
    }
  });
});
