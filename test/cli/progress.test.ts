import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressBar } from "../../src/cli/progress.js";

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
