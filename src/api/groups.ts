import Router from "@koa/router";
import type { Context } from "koa";
import type pg from "pg";
import { z } from "zod";
import { createRouter } from "../http/router.js";
import { badRequest, notFound } from "../http/respond.js";
import { groupMatcher, GroupBodySchema, groupName, holds } from "../shared/groups.js";
import { deleteGroup, findGroup, knownRepositories, listGroups, putGroup } from "../store/groups.js";
import { route } from "./openapi.js";
import { sqlText, valid } from "./params.js";
import { GroupListSchema, GroupSchema, RepositoryListSchema } from "./schemas/groups.js";

// A name in a path: looser than a group's name, so a miss is a 404, not a 400; PUT checks it (422).
const nameParams = z.object({ name: sqlText(200).meta({ description: "the group's name" }) });

/** The body, and the name it is saved under, or undefined once a 422 listing the problems is answered. */
function validPut(ctx: Context, name: string) {
  const problems: string[] = [];
  const n = groupName.safeParse(name);
  if (!n.success) problems.push(...n.error.issues.map((i) => `name: ${i.message}`));
  const body = GroupBodySchema.safeParse(ctx.request.body ?? {});
  if (!body.success) problems.push(...body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`));
  if (problems.length || !body.success) return badRequest(ctx, problems, 422);
  return body.data;
}

/** /api/groups (issue 16: a team or a service as repository globs and services) and /api/repositories. */
export function groupsApi(pool: pg.Pool): Router {
  const router = createRouter();

  const listDoc = {
    summary: "Every group, by name",
    responses: { 200: { description: "the groups", schema: GroupListSchema } },
  };
  route(router, "get", "/groups", listDoc, async (ctx) => {
    ctx.body = { items: await listGroups(pool) };
  });

  const getDoc = {
    summary: "A group",
    params: nameParams,
    responses: { 200: { description: "the group", schema: GroupSchema }, 404: "no such group" },
  };
  route(router, "get", "/groups/:name", getDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    const group = await findGroup(pool, p.name);
    if (!group) return notFound(ctx, "group");
    ctx.body = group;
  });

  const putDoc = {
    summary: "Create or replace a group",
    params: nameParams,
    body: GroupBodySchema,
    responses: {
      200: { description: "the group, replaced", schema: GroupSchema },
      201: { description: "the group, created", schema: GroupSchema },
      422: "the group is refused: every problem listed",
    },
  };
  route(router, "put", "/groups/:name", putDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    const body = validPut(ctx, p.name);
    if (!body) return;
    const { group, created } = await putGroup(pool, p.name, body);
    ctx.status = created ? 201 : 200;
    ctx.body = group;
  });

  const deleteDoc = {
    summary: "Delete a group",
    params: nameParams,
    responses: { 204: "deleted", 404: "no such group" },
  };
  route(router, "delete", "/groups/:name", deleteDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    if (!(await deleteGroup(pool, p.name))) return notFound(ctx, "group");
    ctx.status = 204;
  });

  const repositoriesDoc = {
    summary: "Every repository with deploys or pull requests, its counts and the groups that hold it",
    responses: { 200: { description: "the repositories, by name", schema: RepositoryListSchema } },
  };
  route(router, "get", "/repositories", repositoriesDoc, async (ctx) => {
    const [repositories, groups] = await Promise.all([knownRepositories(pool), listGroups(pool)]);
    const matchers = groups.map((g) => ({ name: g.name, matcher: groupMatcher(g) }));
    ctx.body = {
      items: repositories.map((r) => ({
        ...r,
        groups: matchers.filter((g) => holds(g.matcher, r)).map((g) => g.name),
      })),
    };
  });
  return router;
}
