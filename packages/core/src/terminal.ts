/**
 * Sequences a server could use to take over a terminal: CSI (cursor moves,
 * screen clears), OSC (window titles, OSC 8 links, OSC 52 clipboard writes),
 * DCS/SOS/PM/APC strings, and lone two-byte escapes. Unterminated strings run
 * to the end of the text, as a terminal would swallow them.
 */
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)|\x1b[ -/]*[0-~]?/g;

/** C0 controls except tab and newline, DEL, and C1 controls. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Bidi embeddings, overrides and isolates ("Trojan Source" reordering). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes terminal escape sequences (CSI, OSC including OSC 52 clipboard
 * writes, DCS and friends), C0 and C1 control characters other than newline
 * and tab, and Unicode bidi overrides, so server text can be printed to a
 * terminal without changing it.
 */
export function stripTerminalEscapes(text: string): string {
  return text.replace(ESCAPES, "").replace(CONTROLS, "").replace(BIDI, "");
}
