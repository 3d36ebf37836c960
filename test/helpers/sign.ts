export * from "../../src/senders/sign.js";
