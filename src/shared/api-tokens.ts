/** What an API token may do (issue 18); a token without scopes may do everything. */
export const SCOPES = ["read", "write", "publish", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** One entry of API_TOKENS. `scopes` absent: unscoped, full access (as before scopes existed). */
export interface ApiToken {
  /** Safe to log and to show: names the token in answers, logs and start-up errors. */
  name?: string;
  secret: string;
  scopes?: Scope[];
}

/** A bearer token is the whole of the API's authentication. */
export const MIN_SECRET_LENGTH = 32;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** An item that reads as a scope word: it continues the scope list of the entry before it. */
const SCOPE_WORD = /^[a-z]{1,16}$/;

const isScope = (word: string): word is Scope => (SCOPES as readonly string[]).includes(word);

/**
 * API_TOKENS: comma-separated entries, each `secret` (unscoped), `name:secret` (named, unscoped) or
 * `name:secret:scope[+scope…]`. Scopes may also be separated by commas (`ci:…:read,publish`): a bare
 * lower-case word after a scoped entry continues its list. That cannot hide a token, since a secret has
 * at least 32 characters and a scope word at most 16. Problems name an entry by its name or position,
 * never by its secret.
 */
export function parseApiTokens(text: string | undefined): { tokens: ApiToken[]; problems: string[] } {
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  const secrets = new Set<string>();
  const items = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const last = tokens.at(-1);
    if (last?.scopes && !item.includes(":") && SCOPE_WORD.test(item)) {
      addScopes(last, item, `entry ${tokens.length}${last.name ? ` (${last.name})` : ""}`, problems);
      continue;
    }
    const token = parseEntry(item);
    tokens.push(token);
    const where = `entry ${tokens.length}${token.name && NAME.test(token.name) ? ` (${token.name})` : ""}`;
    if (token.name !== undefined && !NAME.test(token.name))
      problems.push(`${where}: a name is letters, digits, '.', '_' or '-' (at most 64)`);
    if (token.name !== undefined && names.has(token.name)) problems.push(`${where}: the name is used twice`);
    if (token.name !== undefined) names.add(token.name);
    // Two entries of one secret: which one's scopes it had would depend on their order.
    if (secrets.has(token.secret)) problems.push(`${where}: the same secret as an earlier entry`);
    secrets.add(token.secret);
    if (token.secret.length < MIN_SECRET_LENGTH)
      problems.push(
        `${where}: every token must have at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
      );
    if (token.scopes) {
      const given = token.scopes as string[];
      token.scopes = [];
      addScopes(token, given.join("+"), where, problems);
    }
  }
  return { tokens, problems };
}

/** `secret`, `name:secret` or `name:secret:scopes` (scopes unchecked yet). */
function parseEntry(item: string): ApiToken {
  const parts = item.split(":");
  if (parts.length === 1) return { secret: item };
  if (parts.length === 2) return { name: parts[0]!, secret: parts[1]! };
  // The first field is the name, the last the scope list, what lies between the secret.
  return { name: parts[0]!, secret: parts.slice(1, -1).join(":"), scopes: parts.at(-1)!.split("+") as Scope[] };
}

/** Adds `+`-separated scope words to a token's list, each checked. */
function addScopes(token: ApiToken, words: string, where: string, problems: string[]): void {
  for (const word of words.split("+").map((w) => w.trim())) {
    if (isScope(word)) {
      if (!token.scopes!.includes(word)) token.scopes!.push(word);
    } else
      problems.push(
        SCOPE_WORD.test(word)
          ? `${where}: unknown scope "${word}" (known: ${SCOPES.join(", ")})`
          : `${where}: a scope list is ${SCOPES.join(", ")} joined by '+' or ','`,
      );
  }
}
