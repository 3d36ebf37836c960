/** A type glob (`github.pull_request.*`, `?` for one character) as a SQL LIKE pattern. */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll("*", "%").replaceAll("?", "_");
}
