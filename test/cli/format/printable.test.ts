import { describe, expect, it } from "vitest";
import { deployView } from "../../../src/cli/format/deploy.js";
import type { DeployChanges } from "../../../src/api/schemas/answers.js";
import { eventsTable } from "../../../src/cli/format/lists.js";
import { forPeople, printable, printableDeep, SEQUENCE } from "../../../src/cli/format/printable.js";

// Nothing below may reach a terminal: C0 controls but newline, DEL, C1 controls.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("printable", () => {
  it("SEQUENCE, built from two lines, is the one-line regex it replaced", () => {
    // The source of the regex literal it replaced, its backslashes escaped.
    const before =
      "(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]|" +
      "(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d-\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)";
    expect(SEQUENCE.source).toBe(before);
    expect(SEQUENCE.flags).toBe("g");
  });

  it("drops whole CSI and OSC sequences, and any other control character", () => {
    expect(printable("\u001b[2J\u001b[31mred\u001b[0m")).toBe("red");
    // OSC 8 hyperlink and OSC 0 window title, ended by BEL or by ST.
    expect(printable("\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007")).toBe("click");
    expect(printable("a\u001b]0;pwned\u001b\\b")).toBe("ab");
    // C1 forms: CSI U+009B, OSC U+009D … ST U+009C.
    expect(printable("a\u009b31mb\u009d0;t\u009cc")).toBe("abc");
    expect(printable("ding\u0007 back\rspace\u0008 del\u007f")).toBe("ding backspace del");
  });

  it("keeps newlines and printable text, turns tabs into spaces", () => {
    expect(printable("Fix: 日本 → ✓\nsecond line\twith tab")).toBe("Fix: 日本 → ✓\nsecond line with tab");
  });

  it("an unterminated sequence loses its introducer, not the text after it", () => {
    const out = printable("a\u001b]0;never ended and more text");
    expect(out).toBe("a]0;never ended and more text");
    expect(out).not.toMatch(CONTROL);
  });

  it("is linear on crafted text", () => {
    const crafted = "\u001b[".repeat(50_000) + "\u001b]".repeat(50_000) + "0".repeat(100_000);
    const started = performance.now();
    expect(printable(crafted)).not.toMatch(CONTROL);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("cleans every string of an answer, keys too, and leaves other values alone", () => {
    expect(
      printableDeep({ items: [{ title: "x\u0007", n: 1, ok: true, none: null }], where: { "k\u001b[1m": "v\u009b" } }),
    ).toEqual({ items: [{ title: "x", n: 1, ok: true, none: null }], where: { k: "v" } });
  });
});

describe("forPeople", () => {
  const deploy = {
    key: "deploy:generic:d-1",
    repository: "acme/shop",
    environment: "production",
    sha: "a".repeat(40),
    status: "success",
    url: null,
    startedAt: null,
    finishedAt: "2026-11-01T12:00:00Z",
    previousKey: null,
    rangeKnown: true,
  };
  const changes: DeployChanges = {
    deploy,
    previous: null,
    rangeKnown: true,
    rollsBack: null,
    commits: [
      {
        key: "github:commit:acme/web@" + "b".repeat(40),
        sha: "b".repeat(40),
        message: "\u001b]0;owned\u0007Fix checkout\u0007",
        authoredAt: null,
      },
    ],
    pullRequests: [
      {
        key: "github:pr:acme/web#7",
        number: 7,
        title: "\u001b[2J\u001b[HRetry checkout\u0007 on slow networks",
        mergedAt: "2026-11-01T11:00:00Z",
        mergeCommitSha: null,
      },
    ],
    issues: [],
  };

  it("an ESC sequence and a BEL in a title are not printed", () => {
    const out = forPeople(changes, deployView);
    expect(out).not.toMatch(CONTROL);
    expect(out).toMatch(/^7\s+Retry checkout on slow networks\s+2026-11-01 11:00:00Z$/m);
    expect(out).toMatch(/^b{12}\s+Fix checkout\s+—$/m);
  });

  it("tables measure the text printed: columns stay aligned", () => {
    const out = forPeople(
      {
        items: [
          { id: "e-1", type: "github.push", occurredAt: "2026-11-01T12:00:00Z", subject: "s", actor: "\u001b[1mbob" },
          { id: "e-2", type: "github.push", occurredAt: "2026-11-01T12:00:00Z", subject: "s", actor: "alice" },
        ],
        next: null,
      },
      eventsTable,
    ).split("\n");
    expect(out[1]!.indexOf("e-1")).toBe(out[2]!.indexOf("e-2"));
    expect(out[1]).toMatch(/\sbob\s/);
  });

  it("what a renderer adds of its own is cleaned too", () => {
    expect(forPeople({}, () => "ok\u001b[5m\u0007")).toBe("ok");
  });
});
