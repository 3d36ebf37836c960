import { useState } from "react";
import { api, problemsOf, type Subscription } from "../api";
import { parseObject } from "../json";
import { ProblemList } from "./Status";

const TEMPLATE = {
  name: "ship-notes",
  kind: "webhook",
  url: "https://ci.example.com/hooks/switchyard",
  types: ["issue.shipped", "deploy.*"],
  where: { environment: "prod*" },
  enabled: true,
};

/** POST /api/subscriptions from JSON; a generated signing secret is shown here, once. */
export function SubscriptionForm({ onCreated }: { onCreated: (s: Subscription) => void }) {
  const [text, setText] = useState(JSON.stringify(TEMPLATE, null, 2));
  const [problems, setProblems] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);

  async function create() {
    setSecret(null);
    const parsed = parseObject(text);
    if ("error" in parsed) return setProblems([parsed.error]);
    try {
      const created = await api.createSubscription(parsed.value);
      setProblems([]);
      if (created.secret) setSecret(created.secret);
      onCreated(created);
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <section className="card editor">
      <h3>New subscription</h3>
      <textarea
        name="subscription"
        rows={10}
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <ProblemList problems={problems} />
      {secret && (
        <p className="notice">
          Signing secret, shown only now: <code>{secret}</code>
        </p>
      )}
      <button onClick={create}>Create</button>
    </section>
  );
}
