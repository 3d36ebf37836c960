import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressBar, progressCounter } from "../../src/cli/progress.js";

/** A stream that records what is written, a terminal or not. */
function stream(isTTY: boolean) {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number };
  s.isTTY = isTTY;
  s.columns = 100;
  return { s: s as unknown as NodeJS.WriteStream, text: () => chunks.join("") };
}

describe("progressBar", () => {
  it("draws on a terminal", () => {
    const { s, text } = stream(true);
    const bar = progressBar("replay", s);
    bar.update(0, 400);
    bar.update(200, 400);
    bar.stop();
    expect(text()).toContain("replay [");
    expect(text()).toMatch(/\d+\/400/);
  });

  it("writes nothing when not on a terminal (pipes, CI, --json scripts)", () => {
    const { s, text } = stream(false);
    const bar = progressBar("replay", s);
    bar.update(0, 400);
    bar.update(400, 400);
    bar.stop();
    expect(text()).toBe("");
  });
});

describe("progressCounter (an import)", () => {
  it("draws a bar over the resources on a terminal, with the current one's items and pages", () => {
    const { s, text } = stream(true);
    const bar = progressCounter("import acme/shop", s);
    bar.update({ resource: "commits", step: 1, steps: 4, items: 100, pages: 1 });
    bar.update({ resource: "pull_requests", step: 2, steps: 4, items: 250, pages: 3 });
    bar.stop();
    expect(text()).toContain("import acme/shop [");
    expect(text()).toMatch(/1\/4 resources · pull_requests · 250 items · 3 pages/);
  });

  it("writes nothing when not on a terminal", () => {
    const { s, text } = stream(false);
    const bar = progressCounter("import acme/shop", s);
    bar.update({ resource: "commits", step: 1, steps: 4, items: 100, pages: 1 });
    bar.stop();
    expect(text()).toBe("");
  });
});
