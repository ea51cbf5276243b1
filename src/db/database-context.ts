import { parseDatabaseUrl, databaseUrlKey } from '../domain/database-url';
import { MissingSettingError } from '../domain/errors';
import { renderTemplateUrl } from '../domain/url-template';
import type { ApiDatabase } from './api/api-tables.generated';
import type { CellDatabase } from './cell/cell-tables.generated';
import { databaseExists, openDatabase, type DatabaseHandle, type OpenDatabaseOptions, type QueryLogger } from './connection';

/** What a database context needs to know: the configured URLs and where relative paths start. */
export interface DatabaseContextOptions {
  /** `[api_database] connection`. */
  apiDatabaseConnection?: string;
  /** `[database] connection`: the local cell database, and the source of template URL values. */
  databaseConnection?: string;
  /** The directory `sqlite:///relative.db` URLs are resolved against. */
  cwd: string;
  onQuery?: QueryLogger;
}

/** Open options a caller may choose per database. */
export type ConnectOptions = Pick<OpenDatabaseOptions, 'create'>;

/**
 * Holds the API database connection and every cell database connection a command opens:
 * each opened on first use, reused per URL, all closed by `close()`. This is the one way
 * cellctl reaches a cell database.
 */
export class DatabaseContext {
  private readonly handles = new Map<string, Promise<DatabaseHandle<unknown>>>();

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
    if (!raw) {
      throw new MissingSettingError(
        'no API database configured: set [api_database] connection, OS_API_DATABASE__CONNECTION or --api-db',
      );
    }
    return raw;
  }

  /** `[database] connection`; throws MissingSettingError when it is configured nowhere. */
  localCellConnection(): string {
    const raw = this.options.databaseConnection;
    if (!raw) {
      throw new MissingSettingError('no cell database configured: set [database] connection, OS_DATABASE__CONNECTION or --db');
    }
    return raw;
  }

  /**
   * The cell database a cell mapping stores (template URLs rendered against the local
   * `[database] connection`, as Nova renders them on read).
   */
  async cell(storedConnection: string, options: ConnectOptions = {}): Promise<DatabaseHandle<CellDatabase>> {
    return this.open<CellDatabase>('cell', this.renderDatabaseUrl(storedConnection), options);
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
    const raw = kind === 'cell' ? this.renderDatabaseUrl(url) : url;
    return databaseExists(parseDatabaseUrl(raw, this.options.cwd));
  }

  /**
   * Checks that a URL parses (a stored cell URL after rendering its template) without opening
   * anything, so commands refuse bad input before doing any work. Throws InvalidUrlError or
   * UnsupportedSchemeError.
   */
  checkUrl(kind: 'api' | 'cell', url: string): void {
    parseDatabaseUrl(kind === 'cell' ? this.renderDatabaseUrl(url) : url, this.options.cwd);
  }

  /** Closes every connection this context opened; safe to call more than once. */
  async close(): Promise<void> {
    const pending = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(
      pending.map(async (p) => {
        const handle = await p.catch(() => undefined);
        await handle?.db.destroy().catch(() => undefined);
      }),
    );
  }

  private async open<DB>(kind: 'api' | 'cell', raw: string, options: ConnectOptions): Promise<DatabaseHandle<DB>> {
    const url = parseDatabaseUrl(raw, this.options.cwd);
    const key = `${kind}|${databaseUrlKey(url)}`;
    let handle = this.handles.get(key);
    if (!handle) {
      handle = openDatabase<unknown>(url, { create: options.create, onQuery: this.options.onQuery });
      this.handles.set(key, handle);
      // A failed open is not cached: the next call tries again.
      handle.catch(() => this.handles.delete(key));
    }
    return handle as Promise<DatabaseHandle<DB>>;
  }
}
