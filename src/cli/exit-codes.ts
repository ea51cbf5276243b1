import type { CellctlError } from '../domain/errors';

/** Exit codes shared by every command of the modern front (product.md, "Contracts"). */
export const EXIT_SUCCESS = 0;
export const EXIT_INVALID_INPUT = 127;
export const EXIT_ENVIRONMENT = 255;

/** One documented outcome of a command: its code, its meaning, and the errors that lead to it. */
export interface ExitCodeDoc {
  code: number;
  meaning: string;
  /** Errors the command maps to this code (instead of the generic 127/255). */
  errors?: Array<abstract new (...args: any[]) => CellctlError>;
}

/** The codes every command shares, appended to each command's own list. */
export const COMMON_EXIT_CODES: ExitCodeDoc[] = [
  { code: EXIT_INVALID_INPUT, meaning: "invalid input: unknown flag or command, malformed value or URL, a value Nova's columns cannot hold, unknown or ambiguous cell" },
  {
    code: EXIT_ENVIRONMENT,
    meaning:
      "the environment failed: unreachable database, refused credentials, a database that does not exist yet, is empty or is not Nova's (the line names the command that fixes it), or an unexpected error",
  },
];

/** Renders an exit-code table for --help and docs/. */
export function formatExitCodes(codes: ExitCodeDoc[]): string {
  const all = [...codes, ...COMMON_EXIT_CODES.filter((c) => !codes.some((own) => own.code === c.code))].sort((a, b) => a.code - b.code);
  return ['Exit codes:', ...all.map((c) => `  ${String(c.code).padStart(3)}  ${c.meaning}`)].join('\n');
}
