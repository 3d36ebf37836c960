/** An editor's text as a JSON object, or why it is not one (said before the API is asked). */
export function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== "object" || Array.isArray(value)) return { error: "must be a JSON object" };
    return { value: value as Record<string, unknown> };
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
}
