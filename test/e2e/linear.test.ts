import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadFixtures } from "../helpers/fixtures.js";
import { SECRETS, useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { linearRequest, post } from "../../kit/sign.js";

const fixtures = loadFixtures("linear");
const ctx = useTestService();
const prisma = useTestPrisma();

describe("Linear receiver", () => {
  it.each(Object.keys(fixtures).sort())("stores %s", async (name) => {
    const f = fixtures[name]!;
    expect(f.source).toMatch(/^https:\/\//);
    const p = f.payload;
    const deliveryId = randomUUID();
    const res = await post(`${ctx.url}/webhooks/linear`, linearRequest(p, SECRETS.linear[0]!, deliveryId));
    expect(res.status, res.text).toBe(202);
    const e = await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, include: { linear: true } }));
    const entity = String(p.type).toLowerCase();
    expect(e.type).toBe(`linear.${entity}.${p.action}`);
    expect(e.deliveryId).toBe(deliveryId);
    expect(e.linear).toMatchObject({ entityType: p.type, action: p.action, entityId: p.data.id, actor: p.actor.name });
    switch (p.type) {
      case "Issue":
        expect(e.subject).toBe("linear:issue:ENG-42");
        expect(e.linear).toMatchObject({
          identifier: "ENG-42",
          teamKey: "ENG",
          title: p.data.title,
          state: p.data.state.name,
        });
        break;
      case "Comment":
        expect(e.subject).toBe("linear:issue:ENG-42");
        break;
      case "Attachment":
        expect(e.keys).toContain("github:pr:acme/web#7");
        break;
      default:
        expect(e.subject).toBe(`linear:${entity}:${p.data.id}`);
    }
  });
});
