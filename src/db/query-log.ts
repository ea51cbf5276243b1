/** Receives each executed statement (for --debug); parameters may hold secrets. */
export type QueryLogger = (event: { sql: string; parameters: readonly unknown[]; durationMs: number; error?: unknown }) => void;
