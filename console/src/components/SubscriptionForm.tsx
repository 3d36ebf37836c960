import { useState } from "react";
import { api, ApiError, type Subscription } from "../api";
import { parseObject } from "../json";

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
      const e = err as Error;
      setProblems(e instanceof ApiError && e.problems.length ? e.problems : [e.message]);
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
      {problems.length > 0 && (
        <div className="error" role="alert">
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {secret && (
        <p className="notice">
          Signing secret, shown only now: <code>{secret}</code>
        </p>
      )}
      <button onClick={create}>Create</button>
    </section>
  );
}
