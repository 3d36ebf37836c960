/**
 * Shared setup of the console's browser tests (console*.test.ts): the built console served by a real
 * service with the story stored, Debian's chromium, and what the tests read back. Its `let`s are set by
 * useConsole()'s beforeAll; importers see them as live bindings.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { CONSOLE_DIR } from "../../src/http/console.js";
import { API_TOKENS, isolatedDatabase, SECRETS, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { post, slackRequest } from "../../kit/sign.js";
import { story, T0 } from "../helpers/story.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHOTS = path.join(ROOT, "docs/screenshots");
/** Debian's chromium, or any Chromium build named by CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/**
 * Without a browser the suite does not run, and says so loudly; under CI (`CI=true`, as .ci/run
 * runs) a missing browser fails the run instead, so CI never passes without these tests.
 */
export const BROWSER = existsSync(CHROMIUM);
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
  // One build at a time: the console's test files start together (a directory is made atomically).
  const lock = path.join(ROOT, "dist", ".console-build-lock");
  mkdirSync(path.dirname(lock), { recursive: true });
  for (const until = Date.now() + 180_000; ;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > until) throw new Error(`${lock} held for 3 minutes: remove it if no test is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    const index = path.join(CONSOLE_DIR, "index.html");
    const sources = Math.max(newest(path.join(ROOT, "console")), statSync(path.join(ROOT, "vite.config.ts")).mtimeMs);
    if (existsSync(index) && statSync(index).mtimeMs > sources) return;
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], {
      cwd: ROOT,
      stdio: "inherit",
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
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
export const slackMessage = (text: string) =>
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

export const s = story("ng"); // team ENG: the issue is linear:issue:ENG-42, the repository acme/web-ng
export const day = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString().slice(0, 10);
export const enc = encodeURIComponent;

let db: Awaited<ReturnType<typeof isolatedDatabase>>;
export let svc: Awaited<ReturnType<typeof startTestService>>;
export let prisma: ReturnType<typeof testPrisma>;
let browser: Browser;
let context: BrowserContext;
export let page: Page;
export let receiver: Awaited<ReturnType<typeof flakyReceiver>>;
export const offsite: string[] = [];
export const pageErrors: string[] = [];
/** step name → event id */
export const ids = new Map<string, string>();

export const api = (method: string, p: string, body?: unknown) =>
  fetch(`${svc.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json().catch(() => null)) as any }));

/** The token the console keeps for the tab (contract §11), read in the page. */
export const storedToken = () => page.evaluate<string | null>("sessionStorage.getItem('switchyard.token')");

export async function shot(name: string, fullPage = true) {
  // From the top: the header is sticky, and a full-page shot of a scrolled page draws it mid-page.
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/**
 * Starts the service (a schema of its own), sends the story, launches chromium and opens a page;
 * closes it all after the file. `signedIn`: the page signs in first (a file that does not test it);
 * `env`: more of the service's configuration (scoped API_TOKENS).
 */
export function useConsole({ signedIn = false, env = {} as Record<string, string> } = {}) {
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
      ...env,
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
    // Each step stored (and so correlated) before the next is sent, as in test/e2e/story.test.ts.
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
    if (signedIn) await signIn();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.service.close();
    await receiver?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });
}

/** Signs in through the form, as the first file's tests do. */
async function signIn() {
  await page.goto("/");
  await page.fill("input[name=token]", API_TOKENS[0]!);
  await page.click("button[type=submit]");
  await page.getByRole("heading", { name: "Queue health" }).waitFor();
}
