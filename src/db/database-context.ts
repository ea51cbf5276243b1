import type { Cell } from '../domain/cell';
import { parseDatabaseUrl, databaseUrlKey, type DatabaseUrl } from '../domain/database-url';
import { CellWithoutDatabaseError, InvalidUrlError, MissingSettingError, type CellRef } from '../domain/errors';
import { maskUrl } from '../domain/url-masking';
import { renderTemplateUrl } from '../domain/url-template';
import type { ApiDatabase } from './api/api-tables.generated';
import type { CellDatabase } from './cell/cell-tables.generated';
import { checkUrlParameters, databaseExists, openDatabase, type DatabaseHandle, type OpenDatabaseOptions, type QueryLogger } from './connection';

/** What a database context needs to know: the configured URLs, where relative paths start, timeouts. */
export interface DatabaseContextOptions {
  /** `[api_database] connection`. */
  apiDatabaseConnection?: string;
  /** `[database] connection`: the local cell database, and the source of template URL values. */
  databaseConnection?: string;
  /** The directory `sqlite:///relative.db` URLs are resolved against. */
  cwd: string;
  onQuery?: QueryLogger;
  /** How long opening a database may take (default DEFAULT_CONNECT_TIMEOUT_SECONDS). */
  connectTimeoutMs?: number;
  /** How long a write waits for a lock another session holds (default DEFAULT_LOCK_TIMEOUT_SECONDS). */
  lockWaitMs?: number;
  /**
   * Runs before a database is opened (`create`: opened to be created if missing); when it throws,
   * nothing is opened (the embedded deployment creates its home directory here).
   */
  beforeOpen?: (url: DatabaseUrl, create: boolean) => void;
  /**
   * True for a SQLite URL whose missing directory beforeOpen creates (the embedded home), so that
   * a dry run reports its database as one to create rather than as unreachable.
   */
  createsDirectoryOf?: (url: DatabaseUrl) => boolean;
  /** Where the two configured URLs came from (a flag, a variable, a file's section and key), named by errors about them. */
  sources?: { apiDatabaseConnection?: string; databaseConnection?: string };
}

/** Open options a caller may choose per database. */
export type ConnectOptions = Pick<OpenDatabaseOptions, 'create'>;

/** A cell as the context needs it to reach its database. */
export type CellTarget = Pick<Cell, 'uuid' | 'name' | 'databaseConnection'>;

/**
 * Holds the API database connection and every cell database connection a command opens:
 * each opened on first use, reused per URL, all closed by `close()`. A cell's database is
 * reached through the cell (withCell), never through a URL string.
 */
export class DatabaseContext {
  private readonly handles = new Map<string, { handle: Promise<DatabaseHandle<unknown>>; opening: AbortController }>();
  /** Databases dropped and still closing: close() waits for them too. */
  private readonly dropping = new Set<Promise<void>>();

  constructor(private readonly options: DatabaseContextOptions) {}

  /** The configured `[database] connection`, if any (raw, as configured). */
  get localDatabaseConnection(): string | undefined {
    return this.options.databaseConnection;
  }

  /**
   * The API database. Throws MissingSettingError when `[api_database] connection` is unset,
   * InvalidUrlError/UnsupportedSchemeError for a bad URL, or a database error when unreachable.
   */
  async api(options: ConnectOptions = {}): Promise<DatabaseHandle<ApiDatabase>> {
    return this.open<ApiDatabase>('api', this.apiConnection(), options);
  }

  /** The database of `[database] connection` (the local cell). Throws MissingSettingError when unset. */
  async localCell(options: ConnectOptions = {}): Promise<DatabaseHandle<CellDatabase>> {
    return this.open<CellDatabase>('cell', this.localCellConnection(), options);
  }

  /** `[api_database] connection`; throws MissingSettingError when it is configured nowhere. */
  apiConnection(): string {
    const raw = this.options.apiDatabaseConnection;
    if (!raw) throw new MissingSettingError('api_database.connection');
    return raw;
  }

  /** `[database] connection`; throws MissingSettingError when it is configured nowhere. */
  localCellConnection(): string {
    const raw = this.options.databaseConnection;
    if (!raw) throw new MissingSettingError('database.connection');
    return raw;
  }

  /**
   * The URL of a cell's database as it is used: the stored URL with its template rendered
   * against the local `[database] connection`, as Nova renders it on read. Throws
   * CellWithoutDatabaseError when the cell mapping has none, InvalidUrlError when it does not parse.
   */
  cellDatabaseUrl(cell: CellTarget): string {
    if (!cell.databaseConnection) throw new CellWithoutDatabaseError({ uuid: cell.uuid, name: cell.name });
    return this.parseStored(cell.databaseConnection).rendered;
  }

  /** A cell's database, opened on first use (see cellDatabaseUrl for what it throws). */
  async cellDatabase(cell: CellTarget, options: ConnectOptions = {}): Promise<DatabaseHandle<CellDatabase>> {
    return this.open<CellDatabase>('cell', this.cellDatabaseUrl(cell), options, { uuid: cell.uuid, name: cell.name });
  }

  /** Runs `work` on a cell's database (Nova's target_cell): the one way services reach a cell. */
  async withCell<T>(cell: CellTarget, work: (handle: DatabaseHandle<CellDatabase>) => Promise<T>, options: ConnectOptions = {}): Promise<T> {
    return work(await this.cellDatabase(cell, options));
  }

  /**
   * Closes a cell's connections now (a cell that timed out): statements still running on them
   * fail, those waiting for a lock stop waiting. A later withCell opens them again.
   */
  async dropCell(cell: CellTarget): Promise<void> {
    if (!cell.databaseConnection) return;
    await this.drop('cell', this.renderDatabaseUrl(cell.databaseConnection));
  }

  /**
   * Cuts the connections of one database URL (rendered) now, even one still opening, without
   * waiting for the server (close() waits for the closing to finish).
   */
  async drop(kind: 'api' | 'cell', url: string): Promise<void> {
    const key = this.key(kind, this.parse(url));
    const entry = this.handles.get(key);
    if (!entry) return;
    this.handles.delete(key);
    entry.opening.abort();
    const closing = entry.handle.then((h) => h.close({ abort: true }), () => undefined);
    this.dropping.add(closing);
    void closing.finally(() => this.dropping.delete(closing));
  }

  /** Renders a stored database URL the way Nova does when it reads a cell mapping. */
  renderDatabaseUrl(stored: string): string {
    return renderTemplateUrl(stored, this.options.databaseConnection);
  }

  /**
   * True when the database `url` names exists, creating nothing (for --dry-run). Stored cell
   * URLs are rendered first. Throws the typed errors of openDatabase when a server cannot be asked.
   */
  async exists(kind: 'api' | 'cell', url: string): Promise<boolean> {
    const parsed = kind === 'cell' ? this.parseStored(url).url : this.parse(url);
    return databaseExists(parsed, this.options.connectTimeoutMs, { directoryCreated: this.options.createsDirectoryOf?.(parsed) });
  }

  /**
   * Checks that a URL parses (a stored cell URL after rendering its template) without opening
   * anything, so commands refuse bad input before doing any work. Throws InvalidUrlError,
   * UnsupportedSchemeError, or UnusableUrlParameterError for a charset MySQL clients do not know.
   */
  checkUrl(kind: 'api' | 'cell', url: string): void {
    checkUrlParameters(kind === 'cell' ? this.parseStored(url).url : this.parse(url));
  }

  /** Closes every connection this context opened; safe to call more than once. */
  async close(): Promise<void> {
    const pending = [...this.handles.values()];
    this.handles.clear();
    await Promise.all([...pending.map(async ({ handle }) => (await handle.catch(() => undefined))?.close()), ...this.dropping]);
  }

  /**
   * Parses a URL for use: besides what parseDatabaseUrl refuses, a server URL that names no
   * database (every statement would fail with "No database selected"). Errors name where the URL
   * came from when it is one of the configured URLs. Throws InvalidUrlError.
   */
  private parse(raw: string, template?: string): DatabaseUrl {
    const { apiDatabaseConnection, databaseConnection, sources } = this.options;
    // A rendered template's values come from [database] connection: errors name the template and that.
    const source =
      template !== undefined
        ? sources?.databaseConnection
        : raw === apiDatabaseConnection
          ? sources?.apiDatabaseConnection
          : raw === databaseConnection
            ? sources?.databaseConnection
            : undefined;
    const url = parseDatabaseUrl(raw, this.options.cwd, source, template);
    if (url.dialect === 'mysql' && !url.database) {
      const named = template !== undefined ? `${maskUrl(template)} (a template)` : `${maskUrl(raw)}${source === undefined ? '' : ` from ${source}`}`;
      throw new InvalidUrlError(`invalid database URL ${named}: it names no database (mysql+pymysql://user:password@host/<database>)`);
    }
    return url;
  }

  /** Renders a stored (or given) cell URL and parses it; errors quote the template, never its rendering. */
  private parseStored(stored: string): { rendered: string; url: DatabaseUrl } {
    const rendered = this.renderDatabaseUrl(stored);
    return { rendered, url: this.parse(rendered, rendered === stored ? undefined : stored) };
  }

  private key(kind: 'api' | 'cell', url: DatabaseUrl): string {
    return `${kind}|${databaseUrlKey(url)}`;
  }

  private async open<DB>(kind: 'api' | 'cell', raw: string, options: ConnectOptions, cell?: CellRef): Promise<DatabaseHandle<DB>> {
    const url = this.parse(raw);
    const key = this.key(kind, url);
    let entry = this.handles.get(key);
    if (!entry) {
      this.options.beforeOpen?.(url, Boolean(options.create));
      const opening = new AbortController();
      const handle = openDatabase<unknown>(url, {
        create: options.create,
        onQuery: this.options.onQuery,
        connectTimeoutMs: this.options.connectTimeoutMs,
        lockWaitMs: this.options.lockWaitMs,
        signal: opening.signal,
        schema: kind,
        cell,
      });
      const created = { handle, opening };
      entry = created;
      this.handles.set(key, created);
      // A failed open is not cached: the next call tries again.
      handle.catch(() => {
        if (this.handles.get(key) === created) this.handles.delete(key);
      });
    }
    return entry.handle as Promise<DatabaseHandle<DB>>;
  }
}
