import { useState } from "react";
import { api, problemsOf, type Rule } from "../api";
import { parseObject } from "../json";
import { ProblemList } from "./Status";

/** The rule of contract §7, as a starting point for a new one. */
export const RULE_TEMPLATE = {
  name: "ops-keys-in-pr-titles",
  on: "github.pull_request.*",
  where: { "payload.pull_request.base.ref": "main" },
  extract: { field: "payload.pull_request.title", pattern: "\\b(OPS-[0-9]+)\\b" },
  link: { to: "linear:issue:$1", relation: "references", confidence: 0.8 },
};

export const ruleText = (rule: unknown) => JSON.stringify(rule, null, 2);

interface Props {
  /** The rule being edited; null for a new one. */
  editing: string | null;
  text: string;
  onText: (text: string) => void;
  onSaved: (rule: Rule) => void;
}

/**
 * A custom rule as JSON. The service validates on save (unknown fields, globs, patterns that
 * could backtrack: contract §7) and answers 422 with every problem, listed here as it said them.
 */
export function RuleEditor({ editing, text, onText, onSaved }: Props) {
  const [problems, setProblems] = useState<string[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save() {
    setSaved(null);
    const parsed = parseObject(text);
    if ("error" in parsed) return setProblems([parsed.error]);
    setBusy(true);
    try {
      const rule = editing ? await api.updateRule(editing, parsed.value) : await api.createRule(parsed.value);
      setProblems([]);
      setSaved(`Saved ${rule.name}, version ${rule.builtin ? 1 : rule.version}.`);
      onSaved(rule);
    } catch (err) {
      setProblems(problemsOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="editor">
      <h3>{editing ? `Edit ${editing}` : "New rule"}</h3>
      <textarea
        name="definition"
        spellCheck={false}
        rows={14}
        value={text}
        onChange={(e) => {
          onText(e.target.value);
          setSaved(null);
        }}
      />
      <ProblemList problems={problems} title="The rule was refused:" testId="rule-problems" />
      {saved && <p className="ok">{saved}</p>}
      <button onClick={save} disabled={busy}>
        {editing ? "Save new version" : "Create rule"}
      </button>
    </div>
  );
}
