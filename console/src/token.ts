// What the session's token may do (GET /api/token, issue 18 scoped tokens): pages hide the controls
// it cannot use. The API enforces the scopes; this only spares the user a 403.
import { createContext, useContext } from "react";
import type { Token } from "./api";

export type Can = Token["can"];

/** Until the API has said (null): nothing is offered that a scoped token could be refused. */
const NOTHING: Can = { read: false, write: false, publish: false, admin: false };
/** When the API could not say (an older service): everything is offered, and the API decides. */
export const EVERYTHING: Can = { read: true, write: true, publish: true, admin: true };

/** null while GET /api/token is on its way. */
export const CanContext = createContext<Can | null>(EVERYTHING);

/** What the session's token may do, scope by scope (nothing until known). */
export const useCan = (): Can => useContext(CanContext) ?? NOTHING;

/** The same, or null while not known yet (a note saying what is missing waits for it). */
export const useKnownCan = (): Can | null => useContext(CanContext);
