/**
 * Text from input (names, URLs, driver messages) made safe for a terminal: control and escape
 * bytes are shown as escapes instead of being sent raw, where they could move the cursor, recolour
 * the screen or split one line into several.
 */

// C0 controls, DEL and C1 controls (ESC [ ... and CSI 0x9b start terminal sequences).
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;
const CONTROL_BUT_LINES = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

function escapeControl(char: string): string {
  return NAMED[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Returns `text` on one line with every control byte escaped (`\n`, `\e`, `\x07`...). Throws nothing. */
export function oneTerminalLine(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/** Returns `text` with every control byte but the line feed escaped (for multi-line diagnostics). Throws nothing. */
export function terminalLines(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escapeControl);
}
