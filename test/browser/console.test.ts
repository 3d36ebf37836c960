import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_DIR } from "../../src/http/console.js";
import { API_TOKENS, isolatedDatabase, SECRETS, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { deployRequest, githubRequest, post, slackRequest } from "../../kit/sign.js";
import { story, T0 } from "../helpers/story.js";

/**
 * The web console (contract §11) end to end in Debian's chromium: the built console served by a real
 * service, the demo story sent through the receivers, every page visited as a user would, and a
 * screenshot of each saved to docs/screenshots (the README shows them).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHOTS = path.join(ROOT, "docs/screenshots");
/** Debian's chromium, or any Chromium build named by CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/**
 * Without a browser the suite does not run, and says so loudly; under CI (`CI=true`, as .ci/run
 * runs) a missing browser fails the run instead, so CI never passes without these tests.
 */
const BROWSER = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`;
if (!BROWSER && !process.env.CI) console.warn(`\n*** THE CONSOLE'S BROWSER TESTS DID NOT RUN: ${MISSING} ***\n`);
// No internet here: without the background-networking flags chromium floods refused connections.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Newest modification time under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** `vite build` unless dist/console is newer than every console source: the test serves what `npm run build` makes. */
function buildConsole() {
  const index = path.join(CONSOLE_DIR, "index.html");
  const sources = Math.max(newest(path.join(ROOT, "console")), statSync(path.join(ROOT, "vite.config.ts")).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], {
    cwd: ROOT,
    stdio: "inherit",
  });
}

/**
 * A subscriber's endpoint. At `/hook` every message succeeds but the first test message (500), so a
 * retry shows; `/gone` answers 410, which disables its subscription; any other path succeeds.
 */
async function flakyReceiver() {
  let tests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { type } = JSON.parse(Buffer.concat(chunks).toString()) as { type: string };
      if (req.url === "/gone") res.statusCode = 410;
      else res.statusCode = req.url === "/hook" && type === "switchyard.test" && ++tests === 1 ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  return { url: `${base}/hook`, base, close: () => new Promise((r) => server.close(r)) };
}

/** A Slack channel message of the story's team, outside its threads. */
const slackMessage = (text: string) =>
  slackRequest(
    JSON.stringify({
      type: "event_callback",
      team_id: "T0ACME0001",
      api_app_id: "A0ACMEAPP1",
      event_id: `EvNgLate${Date.now()}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: "message", channel: "CNGOPS", user: "U0BOB0002", text, ts: "1762120800.000300" },
    }),
    "application/json",
    SECRETS.slack[0]!,
  );

const s = story("ng"); // team ENG: the issue is linear:issue:ENG-42, the repository acme/web-ng
const day = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString().slice(0, 10);
const enc = encodeURIComponent;

let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let svc: Awaited<ReturnType<typeof startTestService>>;
let prisma: ReturnType<typeof testPrisma>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Awaited<ReturnType<typeof flakyReceiver>>;
const offsite: string[] = [];
const pageErrors: string[] = [];
/** step name → event id */
const ids = new Map<string, string>();

const api = (method: string, p: string, body?: unknown) =>
  fetch(`${svc.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json().catch(() => null)) as any }));

/** The token the console keeps for the tab (contract §11), read in the page. */
const storedToken = () => page.evaluate<string | null>("sessionStorage.getItem('switchyard.token')");

async function shot(name: string, fullPage = true) {
  // From the top: the header is sticky, and a full-page shot of a scrolled page draws it mid-page.
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

beforeAll(async () => {
  if (!BROWSER) {
    if (process.env.CI) throw new Error(MISSING);
    return;
  }
  buildConsole();
  mkdirSync(SHOTS, { recursive: true });
  // A schema of its own: the screenshots show this story only, whatever other files store.
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
  receiver = await flakyReceiver();
  svc = await startTestService({
    DATABASE_URL: db.url,
    OUTBOUND_ALLOW_PRIVATE: "true",
    OUTBOUND_RETRY_SCHEDULE: "60s",
  });
  const launching = chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  // Subscribed before the story, so its deploys and milestones are delivered as they happen.
  const created = await api("POST", "/api/subscriptions", {
    name: "ship-notes",
    kind: "webhook",
    url: receiver.url,
    types: ["issue.shipped", "deploy.*"],
    where: { environment: "production*" },
  });
  expect(created.status).toBe(201);
  // Each step stored (and so correlated) before the next is sent, as in test/story.test.ts.
  for (const step of s.steps) {
    const res = await post(`${svc.url}/webhooks/${step.platform}`, await step.request());
    expect(res.status, `${step.name}: ${res.text}`).toBe(202);
    await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
    ids.set(step.name, res.json.id);
  }
  browser = await launching;
  context = await browser.newContext({ baseURL: svc.url, viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  // contract §11: the console works air-gapped; nothing may come from anywhere but the service.
  page.on("request", (r) => {
    if (!r.url().startsWith(svc.url) && !r.url().startsWith("data:")) offsite.push(r.url());
  });
  page.on("pageerror", (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await svc?.service.close();
  await receiver?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

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

  it("shows DORA's four metrics per environment and draws the trend charts", async () => {
    await page.goto(`/dora?repository=acme%2Fweb-ng&since=${day(-72)}&until=${day(24)}&bucket=day`);
    const table = page.locator("table.dora");
    await table.locator("tbody tr", { hasText: "production-eu" }).waitFor();
    for (const metric of ["Deployment frequency", "Lead time for changes", "Change failure rate", "Time to restore"]) {
      expect(await table.locator("thead").textContent()).toContain(metric);
    }
    const production = table.locator("tbody tr").first();
    expect(await production.textContent()).toMatch(/\d+(\.\d+)? \/ (day|week)/);
    expect(await production.locator(".badge").count()).toBe(4); // each rated in a DORA band
    const charts = page.getByTestId("dora-charts").locator("canvas");
    await expect.poll(() => charts.count()).toBe(4);
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
