/**
 * Scoped tokens in the console (issue 18): a `read` token is shown the rules and subscriptions with no
 * control to change them and a note saying why; an unscoped token gets every control.
 */
import { describe, expect, it } from "vitest";
import { API_TOKENS } from "../helpers/service.js";
import { BROWSER, api, page, pageErrors, useConsole } from "./console-setup.js";

const READ = "console-read-token-0123456789abcdef0123";
useConsole({ env: { API_TOKENS: [...API_TOKENS, `viewer:${READ}:read`].join(",") } });

const RULE = "scoped-console-rule";

async function signInWith(token: string) {
  await page.goto("/");
  await page.fill("input[name=token]", token);
  await page.click("button[type=submit]");
  await page.getByRole("heading", { name: "Queue health" }).waitFor();
}

/** Every control the rules and subscriptions pages offer to change something. */
const editControls = () => ({
  newRule: page.getByRole("button", { name: "New rule" }),
  edit: page.locator(`tr[data-rule='${RULE}']`).getByRole("button", { name: "Edit" }),
  delete: page.locator(`tr[data-rule='${RULE}']`).getByRole("button", { name: "Delete" }),
  backfill: page.locator(`tr[data-rule='${RULE}']`).getByRole("button", { name: "Backfill" }),
  toggle: page.locator(`tr[data-rule='${RULE}'] input[type=checkbox]`),
});

describe.skipIf(!BROWSER && !process.env.CI)("the console with a scoped token", () => {
  it("shows a read token no control to change rules or subscriptions, and says why", async () => {
    const created = await api("POST", "/api/rules", {
      name: RULE,
      on: "github.pull_request.*",
      extract: { field: "payload.pull_request.title", pattern: "\\b(ENG-[0-9]+)\\b" },
      link: { to: "linear:issue:$1", relation: "references", confidence: 0.6 },
    });
    expect(created.status).toBe(201);
    await signInWith(READ);

    await page.goto("/rules");
    await page.locator(`tr[data-rule='${RULE}']`).waitFor();
    await page.locator("[data-scope-note=write]").waitFor();
    expect(await page.locator("[data-scope-note=write]").textContent()).toContain("lacks the write scope");
    const c = editControls();
    for (const [name, control] of Object.entries({ ...c, toggle: undefined })) {
      if (control) expect(await control.count(), name).toBe(0);
    }
    expect(await c.toggle.isDisabled()).toBe(true);

    await page.goto("/subscriptions");
    await page.locator("tr[data-subscription='ship-notes']").waitFor();
    await page.locator("[data-scope-note=write]").waitFor();
    expect(await page.getByRole("button", { name: "New subscription" }).count()).toBe(0);
    const row = page.locator("tr[data-subscription='ship-notes']");
    expect(await row.getByRole("button", { name: "Disable" }).count()).toBe(0);
    expect(await row.getByRole("button", { name: "Delete" }).count()).toBe(0);
    await row.click();
    await page.getByRole("heading", { name: /Deliveries of ship-notes/ }).waitFor();
    expect(await page.getByRole("button", { name: "Send test" }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("gives an unscoped token every control, with no note", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await signInWith(API_TOKENS[0]!);
    await page.goto("/rules");
    const c = editControls();
    await c.edit.waitFor();
    for (const [name, control] of Object.entries(c)) expect(await control.count(), name).toBe(1);
    expect(await c.toggle.isDisabled()).toBe(false);
    expect(await page.locator("[data-scope-note]").count()).toBe(0);

    await page.goto("/subscriptions");
    await page.getByRole("button", { name: "New subscription" }).waitFor();
    const row = page.locator("tr[data-subscription='ship-notes']");
    expect(await row.getByRole("button", { name: "Delete" }).count()).toBe(1);
    expect(await page.locator("[data-scope-note]").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
