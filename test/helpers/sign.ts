// Kept only for test files other helpers of issue 15 are splitting (fuzz-api, outbound-slack-linear):
// the signing helpers live in kit/sign.ts; import them from there.
export * from "../../kit/sign.js";
