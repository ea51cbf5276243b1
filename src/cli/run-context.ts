import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/config-loader';
import { embeddedPaths, ensureEmbeddedHome } from '../config/embedded-home';
import type { DatabaseContext } from '../services/database-context.service';

/** The services layer, as the lazily loaded module commands call. */
export type Services = typeof import('../services/index');

/** The process around a CLI run: streams, environment, directories (injected for in-process tests). */
export interface CliIo {
  /** A terminal has `isTTY` and its width in `columns` (tables fit it). */
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  /**
   * The root under which Nova's system locations (`/etc/nova`, `/etc`) are searched for nova.conf:
   * `/` in production (processIo), a directory of their own in tests.
   */
  systemRoot?: string;
}

/** What a front's global options say about configuration, databases and timeouts. */
export interface RunSettings {
  configFile: string[];
  configDir?: string;
  apiDb?: string;
  db?: string;
  /** Seconds to wait for a database to connect and answer. */
  connectTimeout: number;
  /** Seconds a write waits for a lock another session holds. */
  lockTimeout: number;
  /** Receives each SQL statement (for --debug), or undefined. */
  onQuery?: (q: { sql: string; parameters: readonly unknown[]; durationMs: number }) => void;
  /** Receives each configuration notice (the embedded home was created...). */
  onNotice: (text: string) => void;
  /** Receives diagnostics for --debug (the configuration files read), or undefined. */
  onDebug?: (text: string) => void;
}

/**
 * The per-run context every front shares, independent of how a front talks: the process's io,
 * the configuration and the database context (both on first use), the exit code, and closing.
 * A front's presenter decides how data, notices and errors look.
 */
export class RunContext {
  private settings?: RunSettings;
  private loadedConfig?: LoadedConfig;
  private databaseContext?: DatabaseContext;
  private exitCode = 0;

  constructor(readonly io: CliIo) {}

  /** Records the settings of the command about to run (the front calls it after parsing). */
  configure(settings: RunSettings): void {
    this.settings = settings;
  }

  private get current(): RunSettings {
    if (!this.settings) throw new Error('run settings read before parsing');
    return this.settings;
  }

  /**
   * The configuration, loaded on first use. A new embedded nova.conf is read from memory and
   * written only once the run has created a database of the deployment (see close).
   */
  config(): LoadedConfig {
    if (!this.loadedConfig) {
      const s = this.current;
      this.loadedConfig = loadConfig({
        configFiles: s.configFile,
        configDir: s.configDir,
        env: this.io.env,
        cwd: this.io.cwd,
        homeDir: this.io.homeDir,
        systemRoot: this.io.systemRoot,
        overrides: { apiDatabaseConnection: s.apiDb, databaseConnection: s.db },
      });
      const notice = embeddedInUseNotice(this.loadedConfig);
      if (notice !== undefined) s.onNotice(notice);
      s.onDebug?.(configurationReadText(this.loadedConfig));
    }
    return this.loadedConfig;
  }

  /** The configuration if this run has loaded it already (loads nothing, prints nothing). */
  configIfLoaded(): LoadedConfig | undefined {
    return this.loadedConfig;
  }

  /**
   * The services layer, loaded on first use: `--help`, parse errors and bad flags never load
   * Kysely, the database drivers or any command's service code (start-up time is a target).
   */
  async services(): Promise<Services> {
    return import('../services/index');
  }

  /** The database context of this run; close() closes it. */
  async databases(): Promise<DatabaseContext> {
    if (!this.databaseContext) {
      const config = this.config();
      const s = this.current;
      const { createDatabaseContext } = await this.services();
      this.databaseContext = createDatabaseContext({
        apiDatabaseConnection: config.apiDatabaseConnection,
        databaseConnection: config.databaseConnection,
        cwd: this.io.cwd,
        onQuery: s.onQuery,
        connectTimeoutMs: s.connectTimeout * 1000,
        lockWaitMs: s.lockTimeout * 1000,
        beforeOpen: (url, create) => {
          // The embedded home is made when one of its databases is first created, not before.
          const home = config.writeEmbeddedConfig ? config.embeddedHome : undefined;
          if (create && home !== undefined && url.dialect === 'sqlite' && url.path.startsWith(`${home}/`)) ensureEmbeddedHome(home);
        },
        createsDirectoryOf: (url) => {
          const home = config.writeEmbeddedConfig ? config.embeddedHome : undefined;
          return home !== undefined && url.dialect === 'sqlite' && dirname(url.path) === home;
        },
        sources: { apiDatabaseConnection: config.sourceOf('apiDatabaseConnection'), databaseConnection: config.sourceOf('databaseConnection') },
      });
    }
    return this.databaseContext;
  }

  setExitCode(code: number): void {
    this.exitCode = code;
  }

  getExitCode(): number {
    return this.exitCode;
  }

  /**
   * Closes every database connection this run opened; then, when the run created a database of a
   * new embedded deployment, writes its nova.conf (so the next run, and Nova, find the same files).
   * A run that created none (refused, a dry run, other databases named) leaves no file behind.
   */
  async close(): Promise<void> {
    await this.databaseContext?.close();
    const config = this.loadedConfig;
    if (!config?.writeEmbeddedConfig || config.embeddedHome === undefined) return;
    const paths = embeddedPaths(config.embeddedHome);
    if (![paths.apiDatabase, paths.cellDatabase, paths.cell0Database].some((file) => existsSync(file))) return;
    try {
      const notice = config.writeEmbeddedConfig();
      if (notice !== undefined) this.current.onNotice(notice);
    } catch (error) {
      // NOTE: the run's own outcome stands; the next run tries again.
      this.io.stderr.write(`cellctl: warning: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

/**
 * The one line a run on the embedded deployment prints (-q silences it): which file, and why it
 * was chosen over Nova's own locations. Undefined when the configuration is not the embedded one.
 */
export function embeddedInUseNotice(config: LoadedConfig): string | undefined {
  if (config.embeddedHome === undefined) return undefined;
  const file = embeddedPaths(config.embeddedHome).configFile;
  const why =
    config.embeddedReason === 'none-found'
      ? 'no nova.conf in ~/.nova, ~, /etc/nova or /etc (--config-file names one)'
      : `${config.embeddedReason} chooses it${config.discovered.length ? `; unset it to use ${config.discovered[0]}` : ''}`;
  return `using the embedded deployment ${file}${config.writeEmbeddedConfig ? ' (not created yet)' : ''}: ${why}`;
}

/** What --debug says about the configuration: the files read, in order, and any found but not read. */
function configurationReadText(config: LoadedConfig): string {
  const files = config.files.filter((file) => !(config.writeEmbeddedConfig && config.embeddedHome !== undefined && file === embeddedPaths(config.embeddedHome).configFile));
  const read = files.length ? `configuration files read: ${files.join(', ')}` : 'configuration files read: none';
  const pending = config.writeEmbeddedConfig ? ' (the embedded nova.conf is not written yet: its values are the defaults it will hold)' : '';
  const unread = config.discovered.filter((path) => !config.files.some((file) => file === path || file.startsWith(`${path}/`)));
  return `${read}${pending}${unread.length ? `; found and not read: ${unread.join(', ')}` : ''}`;
}
