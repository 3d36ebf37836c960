import Router from "@koa/router";

/**
 * Every router of the service: case-sensitive, so `/API/events` is no route of `/api/events`.
 * Guards (app.ts) decide on the canonical path before any router runs; a router answering other
 * spellings than the one it documents would only widen what a guard has to foresee.
 */
export const createRouter = (prefix?: string): Router => new Router({ sensitive: true, ...(prefix ? { prefix } : {}) });
