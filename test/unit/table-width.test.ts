import { InvalidOptionError } from '../../src/domain/errors';
import { parseWidthInteger, resolveTableWidth, terminalWidth } from '../../src/cli/output/table-width';

const PIPE = { isTTY: false };
const TERMINAL_100 = { isTTY: true, columns: 100 };

describe('resolveTableWidth (as cliff decides)', () => {
  it('has no limit for a pipe unless asked', () => {
    expect(resolveTableWidth({ fitWidth: false }, PIPE, { COLUMNS: '80' })).toBeUndefined();
  });

  it('fits a terminal to its own width, also without --fit-width', () => {
    expect(resolveTableWidth({ fitWidth: false }, TERMINAL_100, { COLUMNS: '80' })).toBe(100);
  });

  it('--fit-width or CLIFF_FIT_WIDTH=1 fit a pipe to $COLUMNS, and to nothing when it is unset', () => {
    expect(resolveTableWidth({ fitWidth: true }, PIPE, { COLUMNS: '80' })).toBe(80);
    expect(resolveTableWidth({ fitWidth: false }, PIPE, { COLUMNS: '80', CLIFF_FIT_WIDTH: '1' })).toBe(80);
    expect(resolveTableWidth({ fitWidth: false }, PIPE, { COLUMNS: '80', CLIFF_FIT_WIDTH: '0' })).toBeUndefined();
    expect(resolveTableWidth({ fitWidth: true }, PIPE, {})).toBeUndefined();
    expect(resolveTableWidth({ fitWidth: true }, PIPE, { COLUMNS: 'wide' })).toBeUndefined();
  });

  it('--max-width above 0 wins over everything; 0 or less falls back to fitting', () => {
    expect(resolveTableWidth({ maxWidth: 60, fitWidth: false }, PIPE, {})).toBe(60);
    expect(resolveTableWidth({ maxWidth: 60, fitWidth: true }, TERMINAL_100, { CLIFF_MAX_TERM_WIDTH: '70' })).toBe(60);
    expect(resolveTableWidth({ fitWidth: false }, PIPE, { CLIFF_MAX_TERM_WIDTH: '70' })).toBe(70);
    expect(resolveTableWidth({ maxWidth: 0, fitWidth: false }, PIPE, { CLIFF_MAX_TERM_WIDTH: '70' })).toBeUndefined();
    expect(resolveTableWidth({ maxWidth: -1, fitWidth: false }, TERMINAL_100, {})).toBe(100);
  });

  it('refuses CLIFF_* values that are not integers, naming the variable', () => {
    expect(() => resolveTableWidth({ fitWidth: false }, PIPE, { CLIFF_FIT_WIDTH: 'true' })).toThrow(InvalidOptionError);
    expect(() => resolveTableWidth({ fitWidth: false }, PIPE, { CLIFF_MAX_TERM_WIDTH: '8O' })).toThrow(/CLIFF_MAX_TERM_WIDTH must be an integer/);
  });
});

describe('terminalWidth', () => {
  it("is stdout's width on a terminal, else $COLUMNS", () => {
    expect(terminalWidth(TERMINAL_100, { COLUMNS: '80' })).toBe(100);
    expect(terminalWidth({ isTTY: true }, { COLUMNS: '80' })).toBe(80);
    expect(terminalWidth(PIPE, { COLUMNS: ' 90 ' })).toBe(90);
    expect(terminalWidth(PIPE, { COLUMNS: '0' })).toBeUndefined();
  });
});

describe('parseWidthInteger', () => {
  it('takes any integer, as cliff does', () => {
    expect(parseWidthInteger('80', '--max-width')).toBe(80);
    expect(parseWidthInteger('-1', '--max-width')).toBe(-1);
    expect(() => parseWidthInteger('', '--max-width')).toThrow("--max-width must be an integer (a number of columns; 0 for no limit), not ''");
    expect(() => parseWidthInteger('1e3', '--max-width')).toThrow(InvalidOptionError);
  });
});
