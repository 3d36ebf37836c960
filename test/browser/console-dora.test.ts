/**
 * The DORA page by group (issue 16), end to end in Debian's chromium: a group over two repositories
 * saved through the API, deploys of both sent as signed deliveries (the story's repository and a
 * second one with a failed deploy), an incident from a GitHub issue labelled `incident`; the page
 * starts from the groups and repositories, the group is picked there, and every figure it shows is
 * the API's answer for the group, as the console formats it.
 */
import { describe, expect, it } from "vitest";
import { SECRETS, waitFor } from "../helpers/service.js";
import { at } from "../helpers/story.js";
import { deployRequest, githubRequest, post } from "../../kit/sign.js";
import { deployStatus } from "../../kit/payloads.js";
import { fmtDuration, fmtFrequency, fmtPercent } from "../../console/src/format.js";
import { BROWSER, api, day, enc, page, pageErrors, offsite, prisma, shot, svc, useConsole } from "./console-setup.js";

useConsole({ signedIn: true });

const GROUP = "checkout";
const API_REPO = "acme/api-ng";
/** The page's window (whole UTC days, `until` inclusive) and the same window as the API takes it. */
const WINDOW = `since=${day(-72)}&until=${day(24)}`;
const API_WINDOW = `since=${day(-72)}T00:00:00Z&until=${new Date(Date.parse(day(24)) + 86_400_000).toISOString()}`;

/** Sends a signed delivery and waits until it is stored (and so correlated). */
async function send(platform: string, req: { body: string; headers: Record<string, string> }) {
  const res = await post(`${svc.url}/webhooks/${platform}`, req);
  expect(res.status, res.text).toBe(202);
  await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
}

/** The second repository's production deploys: one succeeds, one fails, the next restores. */
async function seedApiDeploys() {
  const deploys: Array<[string, string, number]> = [
    ["api-1", "succeeded", 2],
    ["api-2", "failed", 8],
    ["api-3", "succeeded", 10],
  ];
  for (const [id, status, hours] of deploys) {
    const body = deployStatus({
      id,
      repository: API_REPO,
      environment: "production-us",
      status,
      sha: `${hours}`.padStart(40, "a"),
      url: `https://ci.example.com/deploys/${id}`,
      startedAt: at(hours - 0.1),
      finishedAt: at(hours),
      extra: { service: "checkout-api" },
    });
    await send("deploy", deployRequest(body, SECRETS.deploy[0]!, `msg-dora-${id}`));
  }
}

/** An incident in the story's repository after its production deploys of PR #7, before the revert. */
const incidentIssue = () =>
  githubRequest(
    "issues",
    {
      action: "opened",
      issue: {
        number: 90,
        title: "Checkout errors after the retry change",
        body: "Payments fail since acme/web-ng#7 shipped.",
        state: "open",
        labels: [{ name: "incident" }],
        user: { login: "bob" },
        html_url: "https://github.com/acme/web-ng/issues/90",
        created_at: at(7.5),
        updated_at: at(7.5),
      },
      repository: { full_name: "acme/web-ng", default_branch: "main" },
      sender: { login: "bob" },
    },
    SECRETS.github[0]!,
    "gh-dora-incident-90",
  );

describe.skipIf(!BROWSER && !process.env.CI)("the DORA page by group", () => {
  it("starts from groups and repositories and shows the group's five metrics as the API counts them", async () => {
    await seedApiDeploys();
    await send("github", await incidentIssue());
    const put = await api("PUT", `/api/groups/${GROUP}`, {
      description: "checkout team",
      repositories: ["acme/web-ng", "acme/api-*"],
      services: [],
    });
    expect(put.status, JSON.stringify(put.json)).toBeLessThan(300);
    // The incident's suspects are ranked after its batch: wait until a deploy carries it.
    const dora = await waitFor(async () => {
      const answer = (await api("GET", `/api/metrics/dora?group=${GROUP}&${API_WINDOW}&bucket=day`)).json;
      return answer.deploys.some((d: any) => d.incidents.length > 0) ? answer : null;
    });
    const leadTime = (await api("GET", `/api/metrics/lead-time?group=${GROUP}&${API_WINDOW}`)).json;
    expect(dora.repositories).toEqual(["acme/api-ng", "acme/web-ng"]);

    // The page starts from every group and repository; the group is picked there.
    await page.goto(`/dora?${WINDOW}&bucket=day`);
    const groups = page.getByTestId("dora-groups");
    await groups.getByRole("link", { name: GROUP, exact: true }).waitFor();
    expect(await groups.textContent()).toContain("acme/api-*");
    // The repositories come from their own request: wait for each rather than count a page still loading.
    const repositories = page.getByTestId("dora-repositories");
    for (const r of dora.repositories)
      await expect.poll(() => repositories.getByRole("link", { name: r, exact: true }).count()).toBe(1);
    await shot("dora-groups");
    await groups.getByRole("link", { name: GROUP, exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("group") === GROUP && u.searchParams.get("since") === day(-72));

    // The five figures of the production row, each the API's, with the API's levels.
    const production = page.locator("table.dora tbody tr").first();
    await production.locator("td[data-metric=deploymentReworkRate] .value").waitFor();
    const figure = (metric: string) => production.locator(`td[data-metric=${metric}]`);
    const expected: Record<string, string> = {
      deploymentFrequency: fmtFrequency(dora.deploymentFrequency.perDay),
      leadTimeForChanges: fmtDuration(dora.leadTimeForChanges.medianSeconds),
      changeFailureRate: fmtPercent(dora.changeFailureRate.rate),
      timeToRestore: fmtDuration(dora.timeToRestore.medianSeconds),
      deploymentReworkRate: fmtPercent(dora.deploymentReworkRate.rate),
    };
    for (const [metric, value] of Object.entries(expected)) {
      expect(await figure(metric).locator(".value").textContent(), metric).toBe(value);
      // The API's level, or no badge where it gives none (rework rate never has one).
      const band: string | null = dora.bands[metric] ?? null;
      expect(await figure(metric).locator(".badge").allTextContents(), metric).toEqual(band ? [band] : []);
    }
    expect(await figure("changeFailureRate").locator(".detail").textContent()).toBe(
      `${dora.changeFailureRate.failures} failure${dora.changeFailureRate.failures === 1 ? "" : "s"} in ` +
        `${dora.changeFailureRate.deployments} deploys`,
    );
    expect(await figure("deploymentReworkRate").locator(".detail").textContent()).toContain(
      `in ${dora.deploymentReworkRate.deployments} deploys`,
    );
    expect(await page.getByTestId("dora-counted").textContent()).toContain("acme/api-ng");

    // Every counted deploy of both repositories, with its failure, rework and incident markers.
    const rows = page.getByTestId("dora-deploys").locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(dora.deploys.length);
    expect(new Set(dora.deploys.map((d: any) => d.repository))).toEqual(new Set(dora.repositories));
    for (const d of dora.deploys) {
      const row = page.locator(`tr[data-deploy="${d.key}"]`);
      expect(await row.locator("td").nth(1).textContent()).toBe(d.repository);
      const markers = await row.locator(".markers .badge").allTextContents();
      expect(markers, d.key).toEqual([...(d.failure ? ["failure"] : []), ...(d.rework ? ["rework"] : [])]);
      const incidents = row.locator("a.key");
      expect(await incidents.evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(
        d.incidents.map((k: string) => `/entities/${enc(k)}`),
      );
    }
    expect(dora.deploys.some((d: any) => d.failure && d.repository === API_REPO)).toBe(true);

    // The stages of lead time: the API's medians.
    const stages = page.getByTestId("lead-time-stages").locator("tr[data-stages=all]");
    await stages.waitFor();
    for (const stage of ["coding", "pickup", "review", "deploy"]) {
      expect(await stages.locator(`td[data-stage=${stage}] .figure`).textContent(), stage).toBe(
        fmtDuration(leadTime.stages[stage].medianSeconds),
      );
    }

    // Five trend charts, rework rate among them.
    await expect.poll(() => page.getByTestId("dora-charts").locator("canvas").count()).toBe(5);
    expect(await page.getByTestId("dora-charts").textContent()).toContain("Deployment rework rate");
    await shot("dora-group");

    // An incident marker opens the incident's entity page.
    const incident = dora.deploys.flatMap((d: any) => d.incidents)[0] as string;
    await page
      .getByTestId("dora-deploys")
      .locator(`a[href="/entities/${enc(incident)}"]`)
      .first()
      .click();
    await page.waitForURL(`**/entities/${enc(incident)}`);
  });

  it("keeps a row for each environment of a repository without production deploys, alone or in a group", async () => {
    const repository = "acme/api-preview"; // held by the group's `acme/api-*`
    const body = deployStatus({
      id: "preview-1",
      repository,
      environment: "preview",
      status: "succeeded",
      sha: "c".repeat(40),
      url: "https://ci.example.com/deploys/preview-1",
      startedAt: at(11.9),
      finishedAt: at(12),
    });
    await send("deploy", deployRequest(body, SECRETS.deploy[0]!, "msg-dora-preview-1"));
    const dora = (await api("GET", `/api/metrics/dora?repository=${repository}&${API_WINDOW}`)).json;
    expect(dora.repositories).toEqual([]); // no production deploy counted
    const rows = page.locator("table.dora tbody tr th");
    for (const scope of [`repository=${repository}`, `group=${GROUP}`]) {
      await page.goto(`/dora?${scope}&${WINDOW}&bucket=day`);
      await page.locator("table.dora tbody tr").first().waitFor();
      await expect.poll(() => rows.allTextContents(), { message: scope, timeout: 10_000 }).toContain("preview");
    }
  });

  it("loaded nothing from outside the service and raised no script error", () => {
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
