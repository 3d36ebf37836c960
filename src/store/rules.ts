import { Prisma, type PrismaClient } from "../generated/prisma/client.js";

/** The `rules` and `rule_versions` tables: every statement on them is here. */
export interface RuleRow {
  name: string;
  builtin: boolean;
  enabled: boolean;
  version: number;
  definition: unknown;
  updatedAt: Date;
}

export class RuleExists extends Error {}

export const listRules = (prisma: PrismaClient): Promise<RuleRow[]> =>
  prisma.rule.findMany({ orderBy: { name: "asc" } });

export const findRule = (prisma: PrismaClient, name: string): Promise<RuleRow | null> =>
  prisma.rule.findUnique({ where: { name } });

/** A new custom rule at version 1; throws RuleExists if the name is taken. */
export async function createRule(
  prisma: PrismaClient,
  name: string,
  enabled: boolean,
  definition: object,
): Promise<void> {
  try {
    await prisma.rule.create({ data: { name, enabled, definition, versions: { create: { version: 1, definition } } } });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw new RuleExists(name);
    throw err;
  }
}

/** A new version of a custom rule's definition. */
export async function updateRule(
  prisma: PrismaClient,
  name: string,
  version: number,
  enabled: boolean,
  definition: object,
) {
  await prisma.rule.update({
    where: { name },
    data: { enabled, definition, version, updatedAt: new Date(), versions: { create: { version, definition } } },
  });
}

/** Switches a rule on or off; a built-in rule gets its row the first time. */
export async function setRuleEnabled(prisma: PrismaClient, name: string, enabled: boolean, builtin: boolean) {
  if (builtin)
    await prisma.rule.upsert({ where: { name }, create: { name, builtin: true, enabled }, update: { enabled } });
  else await prisma.rule.update({ where: { name }, data: { enabled, updatedAt: new Date() } });
}

/** Deletes a custom rule and the links it made (they have no other evidence of being right). */
export async function deleteRule(prisma: PrismaClient, name: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.rule.deleteMany({ where: { name } });
    if (count) await tx.link.deleteMany({ where: { rule: name } });
    return count > 0;
  });
}
