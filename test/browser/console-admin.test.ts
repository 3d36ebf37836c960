/**
 * The web console end to end, continued (console.test.ts has sign-in, overview, events, entities,
 * deploys and DORA): rules, subscriptions, stored deliveries and the API reference, signed in by the
 * setup (console-setup.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { SECRETS, waitFor } from "../helpers/service.js";
import { githubRequest, post } from "../../kit/sign.js";
import {
  BROWSER,
  s,
  svc,
  prisma,
  page,
  receiver,
  offsite,
  pageErrors,
  ids,
  api,
  shot,
  useConsole,
} from "./console-setup.js";

useConsole({ signedIn: true });

describe.skipIf(!BROWSER && !process.env.CI)("the web console", () => {
  it("dry-runs a rule against a stored event, refuses an invalid one, and backfills with progress", async () => {
    await page.goto("/rules");
    await page.getByRole("button", { name: "New rule" }).click();
    const rule = {
      name: "eng-keys-in-pr-bodies",
      on: "github.pull_request.*",
      extract: { field: "payload.pull_request.body", pattern: "\\b(ENG-[0-9]+)\\b" },
      link: { to: "linear:issue:$1", relation: "references", confidence: 0.7 },
    };
    // Refused on save, with the service's message: RE2 has no look-ahead.
    await page.fill(
      "textarea[name=definition]",
      JSON.stringify({ ...rule, extract: { ...rule.extract, pattern: "(?=ENG)" } }),
    );
    await page.getByRole("button", { name: "Create rule" }).click();
    await expect.poll(() => page.getByTestId("rule-problems").textContent()).toContain("extract.pattern");

    await page.fill("textarea[name=definition]", JSON.stringify(rule, null, 2));
    await page.fill("input[name=event-id]", ids.get("PR #7 opened")!);
    await page.getByRole("button", { name: "Dry run" }).click();
    const result = page.getByTestId("dry-run-result");
    await result.waitFor();
    expect(await result.textContent()).toContain("Would make 1 link");
    expect(await result.textContent()).toContain("github:pr:acme/web-ng#7");
    expect(await result.textContent()).toContain("linear:issue:ENG-42");
    await shot("rules");

    await page.getByRole("button", { name: "Create rule" }).click();
    await page.locator("tr[data-rule='eng-keys-in-pr-bodies']").waitFor();
    await page.locator("tr[data-rule='eng-keys-in-pr-bodies']").getByRole("button", { name: "Backfill" }).click();
    await page.getByRole("button", { name: "Start backfill" }).click();
    await expect
      .poll(() => page.getByTestId("backfill").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("completed");
    expect(await page.locator("progress").getAttribute("value")).toBe("100");
  });

  it("shows a subscription's deliveries, sends a test and retries a failed one", async () => {
    const row = (status: string) => page.locator(`table.deliveries tr[data-status=${status}]`);
    await page.goto("/subscriptions?name=ship-notes");
    await row("succeeded").first().waitFor(); // the story's production deploys and shipped issues
    const before = await row("succeeded").count();
    await page.getByRole("button", { name: "Send test" }).click();
    const refreshUntil = async (ready: () => Promise<boolean>) => {
      for (let i = 0; i < 40 && !(await ready()); i++) {
        await sleep(250);
        await page.getByRole("button", { name: "Refresh" }).click();
      }
      expect(await ready()).toBe(true);
    };
    const test = (status: string) =>
      page.locator(`table.deliveries tr[data-status=${status}]`, { hasText: "switchyard.test" });
    await refreshUntil(async () => (await test("failed").count()) === 1); // the receiver answers it 500
    // A failed message says when it is tried next (OUTBOUND_RETRY_SCHEDULE: 60 s later).
    expect(await test("failed").locator("td.next-attempt").textContent()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in [\d.]+ (s|min)\)$/,
    );
    await test("failed").getByRole("button", { name: "Retry" }).click();
    await refreshUntil(async () => (await row("succeeded").count()) === before + 1);
    await shot("subscriptions");
  });

  it("pages a subscription's deliveries with the API's cursor", async () => {
    const created = await api("POST", "/api/subscriptions", {
      name: "paging",
      kind: "webhook",
      url: `${receiver.base}/paging`,
      types: ["deploy.*"],
      where: { environment: "nowhere" },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 53; i++) expect((await api("POST", "/api/subscriptions/paging/test")).status).toBe(202);
    const rows = page.locator("table.deliveries tbody tr");
    await page.goto("/subscriptions?name=paging");
    await expect.poll(() => rows.count()).toBe(50); // a page: the API's default limit
    const newest = await rows.first().getAttribute("data-id");
    await page.getByRole("button", { name: "Older →" }).click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(new URL(page.url()).searchParams.get("cursor")).toBeTruthy();
    expect(await page.getByRole("button", { name: "Older →" }).count()).toBe(0);
    // The browser's back button returns to the newest page, as does "← Newest".
    await page.goBack();
    await expect.poll(() => rows.count()).toBe(50);
    await page.goForward();
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole("button", { name: "← Newest" }).click();
    await expect.poll(() => rows.count()).toBe(50);
    expect(await rows.first().getAttribute("data-id")).toBe(newest);
  });

  it("says why the service disabled a subscription, enables, disables and deletes it", async () => {
    const created = await api("POST", "/api/subscriptions", {
      name: "gone-hook",
      kind: "webhook",
      url: `${receiver.base}/gone`,
      types: ["deploy.*"],
      where: { environment: "nowhere" },
    });
    expect(created.status).toBe(201);
    expect((await api("POST", "/api/subscriptions/gone-hook/test")).status).toBe(202);
    // The endpoint answers 410 Gone: the service disables the subscription and says why.
    await waitFor(async () => (await api("GET", "/api/subscriptions/gone-hook")).json?.enabled === false);

    await page.goto("/subscriptions?name=gone-hook");
    const row = page.locator("tr[data-subscription=gone-hook]");
    await row.locator(".disabled-reason").waitFor();
    expect(await row.getAttribute("data-enabled")).toBe("false");
    expect(await row.locator(".disabled-reason").textContent()).toContain("410 Gone");
    expect(await page.getByRole("button", { name: "Send test" }).isDisabled()).toBe(true);

    await row.getByRole("button", { name: "Enable" }).click();
    await expect.poll(() => row.getAttribute("data-enabled")).toBe("true");
    expect(await row.locator(".badge").textContent()).toBe("enabled");
    expect(await row.locator(".disabled-reason").count()).toBe(0); // enabling clears the reason
    expect(await page.getByRole("button", { name: "Send test" }).isDisabled()).toBe(false);
    expect((await api("GET", "/api/subscriptions/gone-hook")).json).toMatchObject({
      enabled: true,
      disabledReason: null,
    });

    await row.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => row.getAttribute("data-enabled")).toBe("false");
    expect(await row.locator(".badge").textContent()).toBe("disabled");
    expect((await api("GET", "/api/subscriptions/gone-hook")).json.enabled).toBe(false);

    // Delete asks first: dismissed, nothing happens; accepted, the subscription is gone.
    page.once("dialog", (d) => void d.dismiss());
    await row.getByRole("button", { name: "Delete" }).click();
    await sleep(300);
    expect(await row.count()).toBe(1);
    page.once("dialog", (d) => {
      expect(d.message()).toContain("gone-hook");
      void d.accept();
    });
    await row.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await api("GET", "/api/subscriptions/gone-hook")).status).toBe(404);
    expect(new URL(page.url()).searchParams.get("name")).toBeNull();
  });

  it("lists stored deliveries, an unprocessable one first with its reason", async () => {
    // A pull_request delivery without its pull_request: accepted, then kept as unprocessable (contract §8).
    const res = await post(
      `${svc.url}/webhooks/github`,
      await githubRequest(
        "pull_request",
        {
          action: "opened",
          number: 9,
          repository: { full_name: "acme/web-ng", name: "web-ng", owner: { login: "acme" } },
          sender: { login: "alice" },
        },
        SECRETS.github[0]!,
      ),
    );
    expect(res.status, res.text).toBe(202);
    await waitFor(async () => (await prisma.rawDelivery.findUnique({ where: { id: res.json.id } }))?.error);
    const rows = page.locator("table tbody tr");
    await page.goto("/deliveries");
    const kept = rows.filter({ hasText: "payload.pull_request is missing" });
    await kept.waitFor();
    expect(await kept.getByRole("button", { name: "Reprocess" }).count()).toBe(1);
    await shot("deliveries");
    // The story's deliveries, stored.
    await page.goto("/deliveries?status=stored");
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(s.steps.length);
  });

  it("renders the API reference from /api/openapi.json", async () => {
    await page.goto("/reference");
    const operation = page.locator("section.operation", { hasText: "/api/entities/{key}" });
    await operation.waitFor();
    expect(await operation.textContent()).toContain("depth");
    await shot("reference", false); // the first screen: the whole page is a long list
  });

  it("loaded nothing from outside the service and raised no script error", () => {
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
