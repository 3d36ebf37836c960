import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The README and docs/ name files and link to each other: a module moved or a heading renamed must not
 * leave a reader, or a comment citing the docs, pointing at nothing.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DOCS = [
  "README.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replace(/ /g, "-");

const anchors = (file: string) => new Set([...read(file).matchAll(/^#+\s+(.*)$/gm)].map((m) => anchor(m[1]!)));

describe("docs", () => {
  it("link only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // http(s), mailto
        const [where, hash] = target!.split("#");
        const resolved = where ? path.normalize(path.join(path.dirname(file), where)) : file;
        if (!existsSync(path.join(ROOT, resolved))) broken.push(`${file}: ${target}`);
        else if (hash && resolved.endsWith(".md") && !anchors(resolved).has(hash)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("name only files of the tree", () => {
    const missing: string[] = [];
    for (const file of DOCS) {
      const named = read(file).matchAll(/`[^`\s]*?\b((?:src|test|bench|scripts|kit|monitoring)\/[\w./-]*\w)[^`\s]*`/g);
      for (const [, name] of named) {
        // console.md names the console's own files relative to console/.
        const candidates = [name!, `console/${name}`];
        if (!candidates.some((c) => existsSync(path.join(ROOT, c)))) missing.push(`${file}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("cite only docs that exist, from the code", () => {
    const missing: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (e.name === "generated" ? [] : walk(`${dir}/${e.name}`)) : [`${dir}/${e.name}`],
      );
    const code = ["src", "test", "bench", "scripts"].filter((d) => existsSync(path.join(ROOT, d))).flatMap(walk);
    for (const file of code.filter((f) => /\.(ts|tsx)$/.test(f))) {
      for (const [doc] of read(file).matchAll(/\bdocs\/[\w-]+\.md\b/g)) {
        if (!existsSync(path.join(ROOT, doc))) missing.push(`${file}: ${doc}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
