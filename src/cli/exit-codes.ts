import type { CellctlError } from '../domain/errors';

/** Exit codes shared by every command of the modern front (product.md, "Contracts"). */
export const EXIT_SUCCESS = 0;
export const EXIT_INVALID_INPUT = 127;
export const EXIT_ENVIRONMENT = 255;
/**
 * stdout or stderr was closed by its reader (`cellctl cell list | head -1`): 128 + SIGPIPE, the
 * status a shell reports for a tool that a closed pipe ended.
 */
export const EXIT_CLOSED_PIPE = 141;

/** One documented outcome of a command: its code, its meaning, and the errors that lead to it. */
export interface ExitCodeDoc {
  code: number;
  /** How the list shows the code when it stands for a range (`1-9`); the code alone otherwise. */
  label?: string;
  meaning: string;
  /** Errors the command maps to this code (instead of the generic 127/255). */
  errors?: Array<abstract new (...args: any[]) => CellctlError>;
}

/** The codes every command shares, appended to each command's own list. */
export const COMMON_EXIT_CODES: ExitCodeDoc[] = [
  { code: EXIT_INVALID_INPUT, meaning: "invalid input: unknown flag or command, malformed value or URL, a value Nova's columns cannot hold, unknown or ambiguous cell" },
  { code: EXIT_CLOSED_PIPE, meaning: 'stdout or stderr was closed before everything was written (a pipe into head): the rest of the output was dropped, quietly; the command itself ran to its end' },
  {
    code: EXIT_ENVIRONMENT,
    meaning:
      "the environment failed: unreachable database, refused credentials, a database that does not exist yet, is empty or is not Nova's (the line names the command that fixes it), or an unexpected error",
  },
];

/** The codes of the program as a whole, listed by `cellctl --help` and the man page. */
export const PROGRAM_EXIT_CODES: ExitCodeDoc[] = [
  { code: EXIT_SUCCESS, meaning: 'success' },
  { code: 1, label: '1-9', meaning: "the command's own outcomes (see each command's --help)" },
];

/** Renders an exit-code table for --help and docs/. */
export function formatExitCodes(codes: ExitCodeDoc[]): string {
  const all = [...codes, ...COMMON_EXIT_CODES.filter((c) => !codes.some((own) => own.code === c.code))].sort((a, b) => a.code - b.code);
  return ['Exit codes:', ...all.map((c) => `  ${(c.label ?? String(c.code)).padStart(3)}  ${c.meaning}`)].join('\n');
}
