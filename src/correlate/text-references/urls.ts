/** Plain URLs in text, as GitHub and Slack autolink them. */
import { unique } from "./unique.js";

/** Trailing punctuation is not part of an autolink (GFM): `?`, `!`, `.`, `,`, `:`, `*`, `_`, `~`, and `;`. */
const TRAILING = new Set([..."?!.,:*_~;"]);

/** Plain http(s) URLs (Slack writes them as `<url>` or `<url|label>`), trailing punctuation trimmed. */
export function urls(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const [url] of text.matchAll(/https?:\/\/[^\s<>|"')]+/g)) {
    let end = url.length;
    while (TRAILING.has(url[end - 1]!)) end--; // a loop, not /[.,]+$/, which is quadratic on long runs
    if (end > url.indexOf("//") + 2) out.push(url.slice(0, end));
  }
  return unique(out);
}
