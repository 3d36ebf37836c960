/**
 * The four stages of a PR's lead time, in order (docs/dora.md "Lead time in stages"), shared by the
 * store, the CLI and the console. Apart from lead-time.ts so the console takes them without zod.
 */
export const STAGES = ["coding", "pickup", "review", "deploy"] as const;
export type Stage = (typeof STAGES)[number];
