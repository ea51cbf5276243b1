import type { Outcome } from '../domain/outcome';
import { isUrlShaped, maskParameters, maskUrl, quoteUrl, scrubSecrets, urlPasswords } from '../domain/url-masking';
import { oneTerminalLine, terminalLines } from './output/terminal-text';
import type { CellPolicy } from '../services/cell.service';
import type { Rules } from '../services/rules';
import { errorText } from './modern/error-text';
import { parseOutputFormat, type ColumnSpec, type CsvQuoteMode, type OutputFormat } from './output/output-format';
import { renderDocument, renderList, renderObject, type RenderOptions, type Row } from './output/renderers';
import { resolveTableWidth } from './output/table-width';
import { RunContext, type CliIo, type Services } from './run-context';

export type { CliIo, Services } from './run-context';

/**
 * How much of one SQL statement (text and parameters) --debug shows: map-instances sends
 * statements of a few hundred kilobytes, thousands of them in a large run.
 */
export const DEBUG_STATEMENT_CHARS = 1000;

/** `text`, cut after `maxChars` characters with a note of how many were left out. */
export function abbreviate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}... (${text.length - maxChars} more characters)`;
}

/** The modern front's global options, valid for every command. */
export interface GlobalOptions {
  configFile: string[];
  configDir?: string;
  apiDb?: string;
  db?: string;
  format: OutputFormat;
  formatGiven: boolean;
  column: string[];
  /** The OpenStack client's output options: --sort-column, --sort-descending, --noindent, --quote, --print-empty. */
  sortColumn: string[];
  sortDescending: boolean;
  noIndent: boolean;
  quote: CsvQuoteMode;
  printEmpty: boolean;
  /** The widest a table may be (--max-width, --fit-width, CLIFF_*, the terminal), undefined for no limit. */
  tableWidth?: number;
  showSecrets: boolean;
  quiet: boolean;
  debug: boolean;
  connectTimeout: number;
  lockTimeout: number;
}

/**
 * The modern front's context for one run: the shared RunContext (io, configuration, databases,
 * exit code, closing) and the modern presenter (data on stdout in the chosen -f format; notices,
 * warnings and errors on stderr, worded with the modern flags, prefixed `cellctl:`).
 */
export class CliContext {
  private globalOptions?: GlobalOptions;
  /** The URLs given on the command line (as option values, or anywhere else by mistake). */
  private readonly argumentUrls: string[];
  private secrets?: Set<string>;
  /** Whether the command about to run was given --transport-url (else a transport URL is the configuration's). */
  private transportUrlGiven = false;
  private databaseUrlGiven = false;
  readonly run: RunContext;

  /** `argv`: the run's arguments, so that what quotes them (commander's errors, --debug) can mask the URLs among them. */
  constructor(
    readonly io: CliIo,
    argv: readonly string[] = [],
  ) {
    this.run = new RunContext(io);
    this.argumentUrls = argv.map((arg) => (arg.startsWith('-') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg)).filter(isUrlShaped);
  }

  /** Records the global options of the command about to run (called by the program's hook). */
  setGlobals(raw: Record<string, unknown>, formatGiven: boolean): void {
    const g: GlobalOptions = {
      configFile: (raw.configFile as string[] | undefined) ?? [],
      configDir: raw.configDir as string | undefined,
      apiDb: raw.apiDb as string | undefined,
      db: raw.db as string | undefined,
      format: parseOutputFormat((raw.format as string | undefined) ?? 'table'),
      formatGiven,
      column: (raw.column as string[] | undefined) ?? [],
      sortColumn: (raw.sortColumn as string[] | undefined) ?? [],
      sortDescending: Boolean(raw.sortDescending),
      noIndent: Boolean(raw.noindent),
      quote: (raw.quote as CsvQuoteMode | undefined) ?? 'nonnumeric',
      printEmpty: Boolean(raw.printEmpty),
      tableWidth: resolveTableWidth({ maxWidth: raw.maxWidth as number | undefined, fitWidth: Boolean(raw.fitWidth) }, this.io.stdout, this.io.env),
      showSecrets: Boolean(raw.showSecrets),
      quiet: Boolean(raw.quiet),
      debug: Boolean(raw.debug),
      connectTimeout: raw.connectTimeout as number,
      lockTimeout: raw.lockTimeout as number,
    };
    this.globalOptions = g;
    this.transportUrlGiven = raw.transportUrl !== undefined;
    this.databaseUrlGiven = raw.databaseConnection !== undefined;
    this.run.configure({
      ...g,
      onNotice: (n) => this.notice(n),
      onDebug: g.debug ? (text) => this.debug(text) : undefined,
      onQuery: g.debug ? (q) => this.debugQuery(q) : undefined,
    });
  }

  /**
   * One statement for --debug. Its parameters are masked one by one before they are formatted (a
   * URL is masked whole, so a password holding a space or a quote is found), and the line is
   * scrubbed by debug() as well.
   */
  private debugQuery(q: { sql: string; parameters: readonly unknown[]; durationMs: number }): void {
    const parameters = maskParameters(q.parameters, this.knownSecrets());
    this.debug(`sql (${q.durationMs.toFixed(1)} ms): ${q.sql} ${JSON.stringify(parameters)}`, DEBUG_STATEMENT_CHARS);
  }

  /** The passwords of every URL this run was given: on the command line and in the configuration. */
  private knownSecrets(): Set<string> {
    if (!this.secrets) {
      const config = this.config();
      const urls = [...this.argumentUrls, config.apiDatabaseConnection, config.databaseConnection, config.transportUrl];
      this.secrets = new Set(urls.flatMap((url) => (url === undefined ? [] : urlPasswords(url))));
    }
    return this.secrets;
  }

  get globals(): GlobalOptions {
    if (!this.globalOptions) throw new Error('global options read before parsing');
    return this.globalOptions;
  }

  /** The configuration, loaded on first use. */
  config(): ReturnType<RunContext['config']> {
    return this.run.config();
  }

  /** The services layer, loaded on first use. */
  services(): Promise<Services> {
    return this.run.services();
  }

  /** The database context of this run. */
  databases(): ReturnType<RunContext['databases']> {
    return this.run.databases();
  }

  /** The rules of the modern front (where cellctl deliberately differs from Nova). */
  async rules(): Promise<Rules> {
    return (await this.services()).CELLCTL_RULES;
  }

  /** What the cell services follow: the configuration's `[database]` and transport URL, and the rules. */
  async cellPolicy(): Promise<CellPolicy> {
    const config = this.config();
    return { defaults: { databaseConnection: config.databaseConnection, transportUrl: config.transportUrl }, rules: await this.rules() };
  }

  /**
   * A URL as output may show it: masked unless --show-secrets; a stored value that does not read
   * like a URL is not shown at all (any part of it could be a password).
   */
  displayUrl(url: string | null | undefined): string | null {
    if (url === null || url === undefined) return null;
    if (this.globalOptions?.showSecrets || url === '') return url;
    return quoteUrl(url);
  }

  /** Writes data to stdout. */
  out(text: string): void {
    this.io.stdout.write(text);
  }

  /** How the global output options (-f, -c and the OpenStack client's) render. */
  private renderOptions(): RenderOptions {
    const g = this.globals;
    return {
      format: g.format,
      select: g.column,
      sort: g.sortColumn.length > 0 ? { columns: g.sortColumn, descending: g.sortDescending } : undefined,
      maxWidth: g.tableWidth,
      printEmpty: g.printEmpty,
      noIndent: g.noIndent,
      quote: g.quote,
      onWarning: (text) => this.warn(text),
    };
  }

  /** Renders rows in the chosen format (-f, -c, --sort-column...) to stdout. */
  printList(rows: Row[], columns: ColumnSpec[]): void {
    this.out(renderList(rows, columns, this.renderOptions()));
  }

  /** Renders one record in the chosen format (-f, -c, --max-width...) to stdout. */
  printObject(row: Row, columns: ColumnSpec[]): void {
    this.out(renderObject(row, columns, this.renderOptions()));
  }

  /** Renders a nested document to stdout: JSON or YAML as chosen by -f (callers handle the other formats). */
  printDocument(value: unknown): void {
    this.out(renderDocument(value, this.globals.format === 'yaml' ? 'yaml' : 'json', this.globals.noIndent));
  }

  /** A notice on stderr (silenced by -q). Never carries secrets. */
  notice(text: string): void {
    if (!this.globalOptions?.quiet) this.io.stderr.write(`${oneTerminalLine(scrubSecrets(text))}\n`);
  }

  /** A warning on stderr (shown even with -q). */
  warn(text: string): void {
    this.io.stderr.write(`cellctl: warning: ${oneTerminalLine(scrubSecrets(text))}\n`);
  }

  /** One error line on stderr, worded for this front; the stack trace only with --debug. */
  error(error: unknown, prefix = ''): void {
    const sources = {
      transportUrl: () => this.transportUrlSource(),
      databaseUrl: () => (this.databaseUrlGiven ? '--database-connection' : undefined),
      embeddedHome: () => this.embeddedHome(),
    };
    const message = error instanceof Error ? errorText(error, sources) : String(error);
    // NOTE: a line break or escape byte in a message comes from input or a driver: escaped, never cut or sent raw.
    this.io.stderr.write(`cellctl: error: ${oneTerminalLine(scrubSecrets(`${prefix}${message}`.trimEnd()))}\n`);
    if (this.globalOptions?.debug && error instanceof Error) this.debug(error.stack ?? '');
  }

  /**
   * The `error` value of a per-cell row: null when the outcome is ok, the skip reason, or the
   * error worded for this front (one line, secrets scrubbed).
   */
  outcomeError(outcome: Outcome<unknown, unknown>): string | null {
    if (outcome.status === 'ok') return null;
    if (outcome.status === 'skipped') return outcome.reason;
    return oneTerminalLine(scrubSecrets(errorText(outcome.error, { embeddedHome: () => this.embeddedHome() }).trimEnd()));
  }

  /** The embedded deployment's home when this run has loaded its configuration and it is the embedded one. */
  private embeddedHome(): string | undefined {
    return this.run.configIfLoaded()?.embeddedHome;
  }

  /**
   * Commander's own error output: it quotes argument values whole (an unknown command, a bad
   * choice), so each URL of the command line is masked whole, then the text is scrubbed.
   */
  commanderError(text: string): void {
    const masked = this.argumentUrls.reduce((out, url) => out.split(url).join(maskUrl(url)), text);
    this.io.stderr.write(scrubSecrets(masked));
  }

  /** Where the transport URL of the command came from: --transport-url, or the configuration's layer. */
  private transportUrlSource(): string | undefined {
    return this.transportUrlGiven ? '--transport-url' : this.config().sourceOf('transportUrl');
  }

  /** Diagnostic output for --debug (secrets scrubbed), cut after `maxChars` if given. */
  debug(text: string, maxChars = Number.POSITIVE_INFINITY): void {
    if (this.globalOptions?.debug) this.io.stderr.write(`cellctl: debug: ${terminalLines(abbreviate(scrubSecrets(text), maxChars))}\n`);
  }

  setExitCode(code: number): void {
    this.run.setExitCode(code);
  }

  getExitCode(): number {
    return this.run.getExitCode();
  }

  /** Closes every database connection this run opened. */
  close(): Promise<void> {
    return this.run.close();
  }
}
