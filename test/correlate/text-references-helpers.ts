/** Shared by the text grammars' tests (text-references*.test.ts): expected values, briefly. */
import type { Magic } from "../../src/correlate/text-references.js";

export const closes = (identifier: string): Magic => ({ identifier, relation: "closes" });
export const refs = (identifier: string): Magic => ({ identifier, relation: "references" });
export const reverts = (identifier: string): Magic => ({ identifier, relation: "reverts" });
export const gh = (repo: string, number: number) => ({ repo, number });
export const web = (number: number) => gh("acme/web", number);
export const SHA = "0123456789abcdef0123456789abcdef01234567";
