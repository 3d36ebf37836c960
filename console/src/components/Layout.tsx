import { useState, type FormEvent, type ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import { pathOf } from "../format";

const NAV: Array<[string, string]> = [
  ["/", "Overview"],
  ["/events", "Events"],
  ["/dora", "DORA"],
  ["/rules", "Rules"],
  ["/subscriptions", "Subscriptions"],
  ["/deliveries", "Deliveries"],
  ["/reference", "API"],
];

export function Layout({ children, onSignOut }: { children: ReactNode; onSignOut: () => void }) {
  const navigate = useNavigate();
  const [key, setKey] = useState("");

  // Any entity key (contract §4) goes straight to its page.
  function go(e: FormEvent) {
    e.preventDefault();
    const k = key.trim();
    if (k) navigate(pathOf(k));
  }

  return (
    <>
      <header className="top">
        <NavLink to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" /> Switchyard
        </NavLink>
        <nav>
          {NAV.map(([to, label]) => (
            <NavLink key={to} to={to} end={to === "/"}>
              {label}
            </NavLink>
          ))}
        </nav>
        <form onSubmit={go} className="jump">
          <input
            aria-label="Entity key"
            placeholder="linear:issue:ENG-42"
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </form>
        <button className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main className="page">{children}</main>
    </>
  );
}
