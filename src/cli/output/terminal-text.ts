/**
 * Text from input (names, URLs, driver messages) made safe for a terminal: control and escape
 * bytes are shown as escapes instead of being sent raw, where they could move the cursor, recolour
 * the screen or split one line into several.
 */

// C0 controls, DEL and C1 controls (ESC [ ... and CSI 0x9b start terminal sequences); line and
// paragraph separators; bidirectional controls (they reorder the rest of the line: `q\u202eevil`
// shows as `qlive`).
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LINES = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

function escapeControl(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`);
}

/** Returns `text` on one line with every control byte and bidi control escaped (`\n`, `\e`, `\x07`, `\u202e`...). Throws nothing. */
export function oneTerminalLine(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/** Returns `text` with every control byte but the line feed escaped (for multi-line diagnostics). Throws nothing. */
export function terminalLines(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escapeControl);
}
