import { oneTerminalLine, terminalLines } from '../../src/cli/output/terminal-text';

describe('terminal text', () => {
  it('escapes every C0, DEL and C1 control byte, by name where one is usual', () => {
    expect(oneTerminalLine('a\x1b[2Jb\nc\rd\te\x00f\x7fg\x9bh')).toBe('a\\e[2Jb\\nc\\rd\\te\\x00f\\x7fg\\x9bh');
  });

  it('keeps printable text, non-ASCII letters included, as it is', () => {
    expect(oneTerminalLine('cell-1 Zürich ☃ 😀')).toBe('cell-1 Zürich ☃ 😀');
  });

  it('escapes bidirectional controls and line separators, which reorder or break what follows on screen', () => {
    expect(oneTerminalLine('q\u202eevil \u2066x\u2069 \u200ey\u200f a\u2028b')).toBe('q\\u202eevil \\u2066x\\u2069 \\u200ey\\u200f a\\u2028b');
    expect(terminalLines('a\u202eb\nc')).toBe('a\\u202eb\nc');
  });

  it('keeps line feeds when asked for several lines', () => {
    expect(terminalLines('at x\n  at y\x1b')).toBe('at x\n  at y\\e');
  });
});
