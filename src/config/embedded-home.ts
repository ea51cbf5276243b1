/**
 * The embedded deployment: when no configuration is named, cellctl's nova.conf lives under a home
 * directory, written there on first use and read like any other configuration file afterwards.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, FileSystemError } from '../domain/errors';

/** The embedded deployment's transport URL: never contacted, and distinct from cell0's `none:///`. */
export const EMBEDDED_TRANSPORT_URL = 'fake://embedded/';

/** The configuration file's name inside the embedded home. */
export const EMBEDDED_CONFIG_FILE = 'nova.conf';
/** The API database file of the embedded deployment. */
export const EMBEDDED_API_DATABASE_FILE = 'nova_api.sqlite';
/** The cell database file of the embedded deployment's one cell. */
export const EMBEDDED_CELL_DATABASE_FILE = 'nova.sqlite';
/** cell0's default database file, beside the cell database. */
export const EMBEDDED_CELL0_DATABASE_FILE = 'nova_cell0.sqlite';

/** The absolute paths of an embedded deployment's files. */
export interface EmbeddedPaths {
  home: string;
  configFile: string;
  apiDatabase: string;
  cellDatabase: string;
  cell0Database: string;
}

/**
 * Returns the embedded home: `CELLCTL_HOME` (resolved against `cwd`), else `$XDG_DATA_HOME/cellctl`
 * (absolute values only, per the XDG spec), else `<homeDir>/.local/share/cellctl`. Throws ConfigError
 * when the path could not be written into a SQLite URL or an INI value.
 */
export function resolveEmbeddedHome(env: Record<string, string | undefined>, homeDir: string, cwd: string): string {
  let home: string;
  const explicit = env.CELLCTL_HOME;
  const xdg = env.XDG_DATA_HOME;
  if (explicit !== undefined && explicit !== '') home = resolve(cwd, explicit);
  else if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) home = join(xdg, 'cellctl');
  else home = join(homeDir, '.local', 'share', 'cellctl');
  // NOTE: the path lands in `connection = sqlite:///<home>/...`: a '?' would start a query string,
  // and oslo strips trailing blanks from values.
  if (home.includes('?') || /[\x00-\x1f\x7f]/.test(home) || home !== home.trim()) {
    throw new ConfigError(`the embedded home ${JSON.stringify(home)} cannot be used: it contains '?', a control character or surrounding blanks`);
  }
  return home;
}

/** Returns the absolute paths of the embedded deployment under `home`. Throws nothing. */
export function embeddedPaths(home: string): EmbeddedPaths {
  return {
    home,
    configFile: join(home, EMBEDDED_CONFIG_FILE),
    apiDatabase: join(home, EMBEDDED_API_DATABASE_FILE),
    cellDatabase: join(home, EMBEDDED_CELL_DATABASE_FILE),
    cell0Database: join(home, EMBEDDED_CELL0_DATABASE_FILE),
  };
}

/** Returns the text of the embedded nova.conf for `home` (valid for oslo.config). Throws nothing. */
export function renderEmbeddedConfig(home: string): string {
  const paths = embeddedPaths(home);
  return [
    '# The configuration of the cellctl embedded deployment: one API database and one cell,',
    '# both SQLite files beside this file. cellctl wrote it on first use and reads it like any',
    "# nova.conf; Nova's own tools read it too, for example:",
    `#   nova-manage --config-file ${paths.configFile} cell_v2 list_cells`,
    '# Edit it freely. --config-file/--config-dir replace it; OS_<GROUP>__<OPTION> environment',
    '# variables and command-line flags override single values.',
    '# Comments stay on their own lines: oslo.config would keep an inline "#" in the value.',
    '',
    '[DEFAULT]',
    '# The message transport is never contacted. "fake://" keeps it distinct from',
    "# cell0's none:/// so that the two cell mappings never look like duplicates.",
    `transport_url = ${EMBEDDED_TRANSPORT_URL}`,
    '',
    '[api_database]',
    '# The API database: cell, host and instance mappings, flavors, request specs.',
    `connection = sqlite:///${paths.apiDatabase}`,
    '',
    '[database]',
    `# The cell database; cell0's database defaults to ${EMBEDDED_CELL0_DATABASE_FILE} beside it.`,
    `connection = sqlite:///${paths.cellDatabase}`,
    '',
  ].join('\n');
}

/** What ensureEmbeddedConfig did. */
export interface EnsureEmbeddedConfigResult {
  configFile: string;
  /** True when this call wrote the file (false when it existed or a concurrent run won the race). */
  created: boolean;
}

/**
 * Makes sure `<home>/nova.conf` exists: creates the home (mode 0700) and the file (mode 0600) when
 * missing, never clobbering one a concurrent run wrote first. Idempotent. Throws FileSystemError
 * (an environment failure, exit 255) when the home cannot be created or written.
 */
export function ensureEmbeddedConfig(home: string): EnsureEmbeddedConfigResult {
  const { configFile } = embeddedPaths(home);
  if (existsSync(configFile)) return { configFile, created: false };
  ensureEmbeddedHome(home);
  const text = renderEmbeddedConfig(home);
  const temporary = join(home, `.${EMBEDDED_CONFIG_FILE}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    writeWholeFile(temporary, text);
    try {
      // NOTE: link() publishes a complete file and fails with EEXIST instead of replacing one that
      // a concurrent first run published meanwhile (rename() would clobber it).
      linkSync(temporary, configFile);
      return { configFile, created: true };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return { configFile, created: false };
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    }
    // File systems without hard links: exclusive create, still never clobbering.
    try {
      writeWholeFile(configFile, text);
      return { configFile, created: true };
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return { configFile, created: false };
      throw error;
    }
  } catch (error) {
    throw new FileSystemError(`cannot write the embedded configuration ${configFile}: ${describeFsError(error)}`, { cause: error });
  } finally {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // NOTE: nothing to remove (the home could not hold it); the error above says why.
    }
  }
}

/**
 * Creates the embedded home (mode 0700, parents as needed) unless it exists. Throws
 * FileSystemError (exit 255) when it cannot be created, or exists and is not a directory.
 */
export function ensureEmbeddedHome(home: string): void {
  try {
    makeDirectories(home, 0o700);
    if (!statSync(home).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    throw new FileSystemError(`cannot create the embedded home ${home}: ${describeFsError(error)}`, { cause: error });
  }
}

/** Returns the notice printed when the embedded configuration was just created. Throws nothing. */
export function embeddedCreatedNotice(home: string): string {
  const paths = embeddedPaths(home);
  return `created the embedded deployment configuration ${paths.configFile} (API database ${paths.apiDatabase}, cell database ${paths.cellDatabase})`;
}

/**
 * Creates `path` and its missing parents, one level at a time. Not `mkdirSync({recursive: true})`:
 * Node's version retries for ever when a parent's mkdir fails with ENOENT (as under /proc).
 * Throws the first file-system error.
 */
function makeDirectories(path: string, mode: number): void {
  const missing: string[] = [];
  for (let current = resolve(path); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const directory of missing) {
    try {
      mkdirSync(directory, { mode });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
}

function writeWholeFile(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    const data = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Returns a short reason for a file-system error (its code, or its message). */
export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'it, or a parent, is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
