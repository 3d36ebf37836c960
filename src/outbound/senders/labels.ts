import { keyLabel } from "../../shared/keys.js";
import type { EntityRef } from "../../shared/outbound.js";

const TITLE_MAX = 80;

const truncate = (s: string, max = TITLE_MAX) => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s);

/** An entity's label and, when known, its title, as messages for people show it: `ENG-42 Checkout times out`. */
export const entityLabel = (ref: EntityRef, repository?: string | null) =>
  ref.title ? `${keyLabel(ref.key, repository)} ${truncate(ref.title)}` : keyLabel(ref.key, repository);
