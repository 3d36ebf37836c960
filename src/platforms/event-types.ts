/**
 * The event types a platform declares for the catalog (GET /api/event-types) and for checking a
 * subscription's type globs. A `type` holding `*` is a pattern: the platform names more than can be
 * listed (an environment from configuration).
 */
export interface EventTypeDecl {
  type: string;
  description: string;
}

/** `<prefix>.<action>` for each action, described as `<what>, <action>`. */
export const typesOf = (prefix: string, what: string, actions: readonly string[]): EventTypeDecl[] =>
  actions.map((a) => ({ type: `${prefix}.${a}`, description: `${what}, ${a.replaceAll(/[_-]/g, " ")}` }));

/** One type without actions. */
export const typeOf = (type: string, description: string): EventTypeDecl => ({ type, description });
