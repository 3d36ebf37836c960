import { describe, expect, it } from "vitest";
import {
  describeSubscription,
  inputOf,
  isSigningSecret,
  mergePut,
  newSecret,
  putUpdate,
  type SubscriptionRow,
} from "../../src/shared/subscriptions.js";

const SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const OTHER = `whsec_${Buffer.alloc(24, 9).toString("base64")}`;
const common = { name: "hooks", types: ["deploy.*"], where: {}, enabled: true };
/** What a definition without options stores for them, and a kind's fields it does not have. */
const noOptions = { minPriority: null, rateLimit: null, maxInFlight: null, allowUnknownTypes: false };
const noTarget = { url: null, channel: null, moveTo: null, digest: null, dispatch: null };

const row = (over: Partial<SubscriptionRow> = {}): SubscriptionRow => ({
  id: "0190aaaa-0000-7000-8000-000000000001",
  ...common,
  kind: "webhook",
  url: "https://user:pw@example.com/in?token=abc",
  channel: null,
  moveTo: null,
  digest: null,
  dispatch: null,
  ...noOptions,
  secrets: [SECRET],
  disabledReason: null,
  failingSince: null,
  breakerFailures: 0,
  breakerOpenUntil: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-02T00:00:00Z"),
  ...over,
});

describe("signing secrets", () => {
  it("takes whsec_ and the base64 of 24 to 64 bytes, nothing else", () => {
    expect(isSigningSecret(SECRET)).toBe(true);
    expect(isSigningSecret(OTHER)).toBe(true);
    expect(isSigningSecret(`whsec_${Buffer.alloc(23).toString("base64")}`)).toBe(false);
    expect(isSigningSecret(`whsec_${Buffer.alloc(65).toString("base64")}`)).toBe(false);
    expect(isSigningSecret(SECRET.slice("whsec_".length))).toBe(false);
    expect(isSigningSecret("whsec_not base64 at all, not at all")).toBe(false);
  });

  it("generates 32 random bytes, each time others", () => {
    const a = newSecret();
    expect(isSigningSecret(a)).toBe(true);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(32);
    expect(newSecret()).not.toBe(a);
  });
});

describe("inputOf: what is stored for a definition", () => {
  const webhook = { ...common, kind: "webhook" as const, url: "https://example.com/in" };

  it("keeps the secrets given, then those kept, and generates one only when there are none", () => {
    expect(inputOf({ ...webhook, secret: SECRET }, [OTHER])).toEqual({
      input: { ...noTarget, ...noOptions, ...webhook, secrets: [SECRET] },
      generated: undefined,
    });
    expect(inputOf({ ...webhook, secrets: [SECRET, OTHER] }, []).input.secrets).toEqual([SECRET, OTHER]);
    expect(inputOf(webhook, [OTHER])).toMatchObject({ input: { secrets: [OTHER] }, generated: undefined });
    expect(inputOf(webhook, [], () => "whsec_new")).toMatchObject({
      input: { secrets: ["whsec_new"] },
      generated: "whsec_new",
    });
  });

  it("stores no URL nor secrets for Slack and Linear", () => {
    expect(inputOf({ ...common, kind: "slack", channel: "#ops" }, [SECRET]).input).toEqual({
      ...common,
      ...noTarget,
      ...noOptions,
      kind: "slack",
      channel: "#ops",
      secrets: [],
    });
    expect(inputOf({ ...common, kind: "slack", channel: "#ops", digest: "daily" }, []).input.digest).toBe("daily");
    expect(inputOf({ ...common, kind: "linear" }, []).input).toMatchObject({ moveTo: null, secrets: [] });
    expect(inputOf({ ...common, kind: "linear", moveTo: "Done" }, []).input.moveTo).toBe("Done");
  });

  it("stores a dispatch target with only its own fields, and the options given", () => {
    const d = { ...common, kind: "github-dispatch" as const, repository: "acme/web", eventType: "shipped" };
    expect(inputOf({ ...d, rateLimit: 2, minPriority: "high" }, [SECRET]).input).toEqual({
      ...common,
      ...noTarget,
      ...noOptions,
      kind: "github-dispatch",
      dispatch: { repository: "acme/web", eventType: "shipped" },
      rateLimit: 2,
      minPriority: "high",
      secrets: [],
    });
  });
});

describe("mergePut: a PUT body over the stored subscription", () => {
  it("takes an option away with null, and keeps the others", () => {
    const limited = row({ rateLimit: 5, maxInFlight: 2, minPriority: "high" });
    const put = mergePut(limited, { rateLimit: null });
    expect(put).toMatchObject({ ok: true, merged: { maxInFlight: 2, minPriority: "high" } });
    expect(put.ok && put.merged).not.toHaveProperty("rateLimit");
    const digest = row({ kind: "slack", url: null, channel: "#c", digest: "daily", secrets: [] });
    expect(mergePut(digest, { digest: null }).ok && mergePut(digest, { digest: null })).not.toHaveProperty(
      "merged.digest",
    );
  });

  it("switches a dispatch from one mode to the other", () => {
    const dispatch = row({
      kind: "github-dispatch",
      url: null,
      secrets: [],
      dispatch: { repository: "acme/web", eventType: "shipped" },
    });
    const toWorkflow = mergePut(dispatch, { workflow: "ship.yml", ref: "main" });
    expect(toWorkflow).toMatchObject({
      ok: true,
      merged: { repository: "acme/web", workflow: "ship.yml", ref: "main" },
    });
    expect(toWorkflow.ok && toWorkflow.merged).not.toHaveProperty("eventType");
    const back = row({ ...dispatch, dispatch: { repository: "acme/web", workflow: "ship.yml", ref: "main" } });
    const toEvent = mergePut(back, { eventType: "deployed" });
    expect(toEvent).toMatchObject({ ok: true, merged: { eventType: "deployed" } });
    expect(toEvent.ok && toEvent.merged).not.toHaveProperty("workflow");
    expect(toEvent.ok && toEvent.merged).not.toHaveProperty("ref");
  });

  it("replaces the fields given and keeps the rest, never the secrets", () => {
    expect(mergePut(row(), { enabled: false })).toEqual({
      ok: true,
      merged: { ...common, kind: "webhook", url: row().url, enabled: false },
    });
  });

  it("reads the masked URL given back as the stored one", () => {
    const shown = describeSubscription(row());
    const masked = "url" in shown ? shown.url : undefined;
    expect(masked).not.toBe(row().url);
    expect(mergePut(row(), { url: masked })).toMatchObject({ ok: true, merged: { url: row().url } });
    expect(mergePut(row(), { url: "https://other.example/" })).toMatchObject({
      merged: { url: "https://other.example/" },
    });
  });

  it("drops the kind's own fields when the kind changes", () => {
    expect(mergePut(row(), { kind: "slack", channel: "#c" })).toEqual({
      ok: true,
      merged: { ...common, kind: "slack", channel: "#c" },
    });
    const linear = row({ kind: "linear", url: null, secrets: [], moveTo: null });
    expect(mergePut(linear, {})).toEqual({ ok: true, merged: { ...common, kind: "linear" } });
    expect(mergePut({ ...linear, moveTo: "Done" }, {})).toMatchObject({ merged: { moveTo: "Done" } });
  });

  it("refuses a new name", () => {
    expect(mergePut(row(), { name: "other" })).toEqual({
      ok: false,
      problem: "name: a subscription cannot be renamed",
    });
    expect(mergePut(row(), { name: "hooks" }).ok).toBe(true);
  });
});

describe("putUpdate: what a PUT writes", () => {
  const d = { ...common, kind: "webhook" as const, url: "https://example.com/in" };

  it("writes enabled only when the body set it", () => {
    expect(putUpdate(row(), d, undefined).update).not.toHaveProperty("enabled");
    expect(putUpdate(row(), { ...d, enabled: false }, false).update.enabled).toBe(false);
  });

  it("keeps the stored secrets while the kind stays, and generates one for a new webhook", () => {
    expect(putUpdate(row(), d, undefined)).toMatchObject({ update: { secrets: [SECRET] }, generated: undefined });
    const slack = row({ kind: "slack", url: null, channel: "#c", secrets: [] });
    const { update, generated } = putUpdate(slack, d, undefined);
    expect(generated).toMatch(/^whsec_/);
    expect(update.secrets).toEqual([generated]);
  });
});

describe("describeSubscription: as the API shows it", () => {
  it("masks the URL and counts the secrets without showing them", () => {
    const shown = describeSubscription(row({ secrets: [SECRET, OTHER] }));
    expect(shown).toEqual({
      name: "hooks",
      kind: "webhook",
      url: "https://***:***@example.com/in?token=***",
      types: ["deploy.*"],
      where: {},
      enabled: true,
      ...noOptions,
      disabledReason: null,
      failingSince: null,
      breaker: { failures: 0, openUntil: null },
      secretCount: 2,
      createdAt: row().createdAt,
      updatedAt: row().updatedAt,
    });
    expect(JSON.stringify(shown)).not.toContain(SECRET.slice(6));
  });

  it("shows a Slack channel or a Linear state, and no secret count", () => {
    const slack = describeSubscription(row({ kind: "slack", url: null, channel: "#c", secrets: [] }));
    expect(slack).toMatchObject({ channel: "#c" });
    expect(slack).not.toHaveProperty("secretCount");
    expect(slack).not.toHaveProperty("url");
    expect(describeSubscription(row({ kind: "linear", url: null, moveTo: null, secrets: [] }))).toMatchObject({
      moveTo: null,
    });
  });
});
