/**
 * The web console (contract §11) end to end in Debian's chromium: the built console served by a real
 * service, the demo story sent through the receivers, every page visited as a user would, and a
 * screenshot of each saved to docs/screenshots (docs/console.md shows them).
 * Sign-in, overview, events, entities, deploys and DORA here; rules, subscriptions, deliveries and
 * the API reference in console-admin.test.ts; the setup in console-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, waitFor } from "../helpers/service.js";
import { deployRequest, post } from "../../kit/sign.js";
import {
  BROWSER,
  slackMessage,
  s,
  day,
  enc,
  svc,
  prisma,
  page,
  offsite,
  pageErrors,
  storedToken,
  shot,
  useConsole,
} from "./console-setup.js";

useConsole();

describe.skipIf(!BROWSER && !process.env.CI)("the web console", () => {
  it("refuses a wrong token and stays on sign-in", async () => {
    await page.goto("/");
    await page.fill("input[name=token]", "not-a-token");
    await page.click("button[type=submit]");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("401");
    expect(await page.locator("input[name=token]").isVisible()).toBe(true);
    expect(await storedToken()).toBeNull();
    await shot("signin-refused");
  });

  it("signs in with a token and shows the overview", async () => {
    await page.fill("input[name=token]", API_TOKENS[0]!);
    await page.click("button[type=submit]");
    await page.getByRole("heading", { name: "Queue health" }).waitFor();
    const deploys = page.locator("section", { hasText: "Latest deploys per environment" });
    await deploys.getByText("dep-ng-eu-3").waitFor();
    expect(await deploys.textContent()).toContain("production-us");
    expect(await storedToken()).toBe(API_TOKENS[0]);
    await shot("overview");
  });

  it("lists events with filters and a live tail from the stream", async () => {
    await page.goto(`/events?platform=deploy`);
    await page.getByText("dep-ng-us-1").first().waitFor();
    expect(await page.locator("table.events tbody tr").count()).toBe(8); // the story's eight deploy events
    // Unfiltered, with the live tail on: a Slack message arrives while the page is open.
    await page.goto("/events");
    await page.getByText("dep-ng-eu-3").first().waitFor();
    await page.getByRole("button", { name: "Start" }).click();
    await page.locator(".live-state.live").waitFor();
    const late = await post(`${svc.url}/webhooks/slack`, slackMessage("Deploying the revert to production-eu now"));
    expect(late.status).toBe(202);
    await page.locator(".tail-list li", { hasText: "slack.message" }).waitFor({ timeout: 10_000 });
    await shot("events");
    // A server without the stream: the page says so and keeps working.
    await page.route("**/api/stream*", (r) => r.fulfill({ status: 404, json: { error: "no route GET /api/stream" } }));
    await page.reload();
    await page.getByRole("button", { name: "Start" }).click();
    await page.getByText("live tail unavailable").first().waitFor();
    expect(await page.locator("table.events tbody tr").count()).toBeGreaterThan(0);
    await page.unroute("**/api/stream*");
  });

  it("draws an entity's link graph: ENG-42 with its PR, commits and production deploys", async () => {
    await page.goto(`/entities/${enc("linear:issue:ENG-42")}`);
    const graph = page.getByTestId("link-graph");
    await expect.poll(() => graph.getAttribute("data-nodes")).toBe("8"); // the issue and its 7 neighbours
    expect(await graph.locator("canvas").count()).toBeGreaterThan(0);
    const connected = page.locator("section.connected");
    const text = (await connected.textContent()) ?? "";
    expect(text).toContain("acme/web-ng#7"); // its PR
    expect(text).toContain("acme/web-ng@e1aa000"); // the squash commit that closes it
    for (const env of ["production-us", "production-eu"]) expect(text).toContain(`acme/web-ng → ${env}`);
    // A link chosen (in the table or on the graph) shows its rule, confidence and evidence.
    await page.locator("table.links tbody tr", { hasText: "linear-magic-word" }).first().click();
    const evidence = page.getByTestId("evidence");
    expect(await evidence.textContent()).toContain("confidence 0.95");
    await shot("entity");
    // Evidence one click away: the link's first evidence opens its event.
    await evidence.locator(".evidence-link").first().click();
    await page.getByRole("heading", { name: "Payload" }).waitFor();
    expect(page.url()).toMatch(/\/events\/[0-9a-f-]{36}$/);
    // Depth 2 reaches the PR's other commits.
    await page.goBack();
    await page.selectOption("select[name=depth]", "2");
    await connected.getByText("acme/web-ng@c1aa000").waitFor();
    expect(await connected.textContent()).toContain("acme/web-ng@d1aa000");
  });

  it("lists what a deploy shipped, its previous deploy, and says when the range is unknown", async () => {
    await page.goto(`/deploys/${enc(`deploy:generic:${s.deploy("us-1")}`)}`);
    await page.getByTestId("range").waitFor();
    expect(await page.getByTestId("shipped-pull-requests").textContent()).toContain("acme/web-ng#7");
    expect(await page.getByTestId("shipped-issues").textContent()).toContain("ENG-42");
    expect(await page.getByTestId("shipped-commits").textContent()).toContain(s.commits.M1.slice(0, 7));
    expect(await page.getByTestId("range").textContent()).toContain("Range known");
    expect(await page.getByTestId("range").textContent()).toContain(s.deploy("us-0"));
    expect(await page.getByRole("link", { name: "pipeline" }).getAttribute("href")).toBe(
      `https://ci.example.com/deploys/${s.deploy("us-1")}`,
    );
    await shot("deploy");
    await page.goto(`/deploys/${enc(`deploy:generic:${s.deploy("stg-1")}`)}`);
    await expect.poll(() => page.getByTestId("range").textContent()).toContain("Range unknown");
    expect(await page.getByTestId("range").textContent()).toContain("first deploy");
  });

  it("links a payload's URL only when it is http(s): a deploy's javascript: url is plain text", async () => {
    // The generic deploy receiver checks `url` is a URL, not which kind (contract §2).
    const evil = await post(
      `${svc.url}/webhooks/deploy`,
      deployRequest(
        {
          id: "dep-sandbox-js",
          repository: "acme/sandbox",
          environment: "sandbox",
          status: "succeeded",
          sha: "f".repeat(40),
          url: "javascript:alert(document.domain)",
        },
        SECRETS.deploy[0]!,
      ),
    );
    expect(evil.status, evil.text).toBe(202);
    await waitFor(() => prisma.event.findUnique({ where: { id: evil.json.id }, select: { id: true } }));
    const key = "deploy:generic:dep-sandbox-js";
    for (const [p, label] of [
      [`/deploys/${enc(key)}`, "pipeline"],
      [`/entities/${enc(key)}`, "open in deploy"],
    ] as const) {
      await page.goto(p);
      const shown = page.locator(".unsafe-url");
      await shown.waitFor();
      expect(await shown.textContent()).toBe(label);
      expect(await shown.getAttribute("title")).toContain("javascript:alert(document.domain)");
      expect(await page.locator("a[href^='javascript' i]").count()).toBe(0);
      expect(await page.getByRole("link", { name: label }).count()).toBe(0);
    }
  });

  it("shows DORA's five metrics per environment and draws the trend charts", async () => {
    await page.goto(`/dora?repository=acme%2Fweb-ng&since=${day(-72)}&until=${day(24)}&bucket=day`);
    const table = page.locator("table.dora");
    await table.locator("tbody tr", { hasText: "production-eu" }).waitFor();
    const metrics = [
      "Deployment frequency",
      "Change lead time",
      "Change fail rate",
      "Failed deployment recovery time",
      "Deployment rework rate",
    ];
    for (const metric of metrics) expect(await table.locator("thead").textContent()).toContain(metric);
    const production = table.locator("tbody tr").first();
    expect(await production.textContent()).toMatch(/\d+(\.\d+)? \/ (day|week)/);
    // Each rated in a DORA level but rework rate, which has none.
    expect(await production.locator(".badge").count()).toBe(4);
    expect(await production.locator("td[data-metric=deploymentReworkRate] .badge").count()).toBe(0);
    const charts = page.getByTestId("dora-charts").locator("canvas");
    await expect.poll(() => charts.count()).toBe(5);
    // Drawn: every chart has painted pixels (axes, bars or lines).
    const painted = await charts.evaluateAll((canvases) =>
      canvases.map((c) => {
        const canvas = c as any; // runs in the page (this file is typed for Node)
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      }),
    );
    for (const n of painted) expect(n).toBeGreaterThan(500);
    await shot("dora");
  });

  it("loaded nothing from outside the service and raised no script error", () => {
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
