import { useKnownCan, type Can } from "../token";

/** Why a page offers no controls to change it: the token lacks `scope`. Nothing when it has it. */
export function ScopeNote({ scope, what }: { scope: keyof Can; what: string }) {
  const can = useKnownCan();
  if (!can || can[scope]) return null;
  return (
    <p className="muted scope-note" data-scope-note={scope}>
      This token cannot {what}: it lacks the <code>{scope}</code> scope.
    </p>
  );
}
