/**
 * Text from payloads (PR titles, commit messages, actors, errors, names) is untrusted: a title holding
 * ESC or OSC sequences could clear the screen, retitle the window, plant a hyperlink or answer back
 * through the terminal. Everything printed for people goes through `forPeople` (and errors through
 * `printable`), so no C0 or C1 control character from an answer reaches the terminal. `--json` needs
 * none of this: JSON.stringify escapes control characters.
 */

/**
 * Whole escape sequences with their terminator, so `\x1b[31mred` reads `red`: CSI (`ESC [` or U+009B,
 * parameters, one final byte) and the string controls OSC, DCS, SOS, PM, APC (`ESC ]`, `ESC P`,
 * `ESC X`, `ESC ^`, `ESC _` or their C1 forms) up to BEL or ST. No character class here can match
 * ESC, so each attempt stops at the next ESC: linear in the text's length. An unterminated one is
 * left to CONTROL below, which drops its introducer.
 */
export const SEQUENCE = new RegExp(
  [
    String.raw`(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]`,
    String.raw`(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)`,
  ].join("|"),
  "g",
);
/** C0 controls but newline (and tab, a space below), DEL, and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` without control characters; newlines are kept (cells clip or split on them), tabs become spaces. */
export function printable(text: string): string {
  return text.replace(SEQUENCE, "").replace(CONTROL, "").replaceAll("\t", " ");
}

/** A JSON answer with every string in it (object keys too) made printable. */
export function printableDeep<T>(value: T): T {
  if (typeof value === "string") return printable(value) as T;
  if (Array.isArray(value)) return value.map(printableDeep) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableDeep(v)])) as T;
  }
  return value;
}

/**
 * An answer rendered for people: its text is cleaned before the renderer sees it, so tables measure
 * what is printed, and the rendering is cleaned once more in case a renderer adds text of its own.
 */
export function forPeople<T>(answer: T, human: (a: T) => string): string {
  return printable(human(printableDeep(answer)));
}
