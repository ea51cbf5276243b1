import { loadConfig, type LoadedConfig } from '../config/config-loader';
import { maskUrl, scrubSecrets } from '../domain/url-masking';
import type { DatabaseContext } from '../services/database-context.service';

import { parseOutputFormat, type ColumnSpec, type OutputFormat } from './output/output-format';
import { renderDocument, renderList, renderObject, type Row } from './output/renderers';

/** The services layer, as the lazily loaded module commands call. */
export type Services = typeof import('../services/index');

/**
 * How much of one SQL statement (text and parameters) --debug shows: map-instances sends
 * statements of a few hundred kilobytes, thousands of them in a large run.
 */
export const DEBUG_STATEMENT_CHARS = 1000;

/** `text`, cut after `maxChars` characters with a note of how many were left out. */
export function abbreviate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}... (${text.length - maxChars} more characters)`;
}

/** The process around a CLI run: streams, environment, directories (injected for in-process tests). */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
}

/** The global options, valid for every command. */
export interface GlobalOptions {
  configFile: string[];
  configDir?: string;
  apiDb?: string;
  db?: string;
  format: OutputFormat;
  formatGiven: boolean;
  column: string[];
  showSecrets: boolean;
  quiet: boolean;
  debug: boolean;
}

/**
 * Everything a command needs from the outside world, created once per run: parsed global
 * options, the configuration and the database context (both on first use), and the three
 * output channels (data on stdout; notices, warnings and errors on stderr).
 */
export class CliContext {
  private globalOptions?: GlobalOptions;
  private loadedConfig?: LoadedConfig;
  private databaseContext?: DatabaseContext;
  private exitCode = 0;

  constructor(readonly io: CliIo) {}

  /** Records the global options of the command about to run (called by the program's hook). */
  setGlobals(raw: Record<string, unknown>, formatGiven: boolean): void {
    this.globalOptions = {
      configFile: (raw.configFile as string[] | undefined) ?? [],
      configDir: raw.configDir as string | undefined,
      apiDb: raw.apiDb as string | undefined,
      db: raw.db as string | undefined,
      format: parseOutputFormat((raw.format as string | undefined) ?? 'table'),
      formatGiven,
      column: (raw.column as string[] | undefined) ?? [],
      showSecrets: Boolean(raw.showSecrets),
      quiet: Boolean(raw.quiet),
      debug: Boolean(raw.debug),
    };
  }

  get globals(): GlobalOptions {
    if (!this.globalOptions) throw new Error('global options read before parsing');
    return this.globalOptions;
  }

  /** The configuration, loaded on first use (creating the embedded default if it applies). */
  config(): LoadedConfig {
    if (!this.loadedConfig) {
      const g = this.globals;
      this.loadedConfig = loadConfig({
        configFiles: g.configFile,
        configDir: g.configDir,
        env: this.io.env,
        cwd: this.io.cwd,
        homeDir: this.io.homeDir,
        overrides: { apiDatabaseConnection: g.apiDb, databaseConnection: g.db },
      });
      this.loadedConfig.notices.forEach((n) => this.notice(n));
    }
    return this.loadedConfig;
  }

  /**
   * The services layer, loaded on first use: `--help`, parse errors and bad flags never load
   * Kysely and the database drivers (start-up time is a target, docs/performance.md).
   */
  async services(): Promise<Services> {
    return import('../services/index');
  }

  /** The database context of this run; run() closes it. */
  async databases(): Promise<DatabaseContext> {
    if (!this.databaseContext) {
      const config = this.config();
      const { createDatabaseContext } = await this.services();
      this.databaseContext = createDatabaseContext({
        apiDatabaseConnection: config.apiDatabaseConnection,
        databaseConnection: config.databaseConnection,
        cwd: this.io.cwd,
        onQuery: this.globals.debug
          ? (q) => this.debug(`sql (${q.durationMs.toFixed(1)} ms): ${q.sql} ${JSON.stringify(q.parameters)}`, DEBUG_STATEMENT_CHARS)
          : undefined,
      });
    }
    return this.databaseContext;
  }

  /** A URL as output may show it: masked unless --show-secrets. */
  displayUrl(url: string | null | undefined): string | null {
    if (url === null || url === undefined) return null;
    return this.globalOptions?.showSecrets ? url : maskUrl(url);
  }

  /** Writes data to stdout. */
  out(text: string): void {
    this.io.stdout.write(text);
  }

  /** Renders rows in the chosen format (-f, -c) to stdout. */
  printList(rows: Row[], columns: ColumnSpec[]): void {
    this.out(renderList(rows, columns, { format: this.globals.format, select: this.globals.column }));
  }

  /** Renders one record in the chosen format (-f, -c) to stdout. */
  printObject(row: Row, columns: ColumnSpec[]): void {
    this.out(renderObject(row, columns, { format: this.globals.format, select: this.globals.column }));
  }

  /** Renders a nested document to stdout: JSON or YAML as chosen by -f (callers handle the other formats). */
  printDocument(value: unknown): void {
    this.out(renderDocument(value, this.globals.format === 'yaml' ? 'yaml' : 'json'));
  }

  /** A notice on stderr (silenced by -q). Never carries secrets. */
  notice(text: string): void {
    if (!this.globalOptions?.quiet) this.io.stderr.write(`${scrubSecrets(text)}\n`);
  }

  /** A warning on stderr (shown even with -q). */
  warn(text: string): void {
    this.io.stderr.write(`cellctl: warning: ${scrubSecrets(text)}\n`);
  }

  /** One error line on stderr; the stack trace only with --debug. */
  error(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.io.stderr.write(`cellctl: error: ${scrubSecrets(message.split('\n')[0])}\n`);
    if (this.globalOptions?.debug && error instanceof Error) this.debug(error.stack ?? '');
  }

  /** Diagnostic output for --debug (secrets scrubbed), cut after `maxChars` if given. */
  debug(text: string, maxChars = Number.POSITIVE_INFINITY): void {
    if (this.globalOptions?.debug) this.io.stderr.write(`cellctl: debug: ${abbreviate(scrubSecrets(text), maxChars)}\n`);
  }

  setExitCode(code: number): void {
    this.exitCode = code;
  }

  getExitCode(): number {
    return this.exitCode;
  }

  /** Closes every database connection this run opened. */
  async close(): Promise<void> {
    await this.databaseContext?.close();
  }
}
