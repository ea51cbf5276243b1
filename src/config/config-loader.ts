/**
 * One typed configuration from nova.conf-style files, oslo-style environment overrides and flags,
 * layered the way oslo.config does it, with the embedded deployment as the default file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../domain/errors';
import { describeFsError, embeddedCreatedNotice, embeddedPaths, ensureEmbeddedConfig, renderEmbeddedConfig, resolveEmbeddedHome } from './embedded-home';
import { type IniSections, normalizeGroupName, normalizeOptionName, parseIni } from './ini-parser';

/** The settings cellctl itself acts on. */
export type ConfigSetting = 'apiDatabaseConnection' | 'databaseConnection' | 'transportUrl';

/** Where each setting lives in nova.conf. */
export const SETTING_LOCATIONS: Readonly<Record<ConfigSetting, { group: string; option: string }>> = {
  apiDatabaseConnection: { group: 'api_database', option: 'connection' },
  databaseConnection: { group: 'database', option: 'connection' },
  transportUrl: { group: 'DEFAULT', option: 'transport_url' },
};

/** How `sourceOf` names a flag override unless the CLI passes its own labels. */
export const DEFAULT_OVERRIDE_LABELS: Readonly<Record<ConfigSetting, string>> = {
  apiDatabaseConnection: '--api-db',
  databaseConnection: '--db',
  transportUrl: '--transport-url',
};

/** Everything loadConfig needs; nothing is read from the process. */
export interface LoadConfigInput {
  /** `--config-file` values in command-line order (later wins). */
  configFiles: string[];
  /** `--config-dir`: every `*.conf` in it, by name, after the files. */
  configDir?: string;
  env: Record<string, string | undefined>;
  /** Absolute working directory: relative paths resolve against it. */
  cwd: string;
  homeDir: string;
  /**
   * Where the system locations of the search for nova.conf (`/etc/nova`, `/etc`) are looked up:
   * `/` in production; tests pass a directory of their own so that nothing under the machine's
   * `/etc` is read.
   */
  systemRoot?: string;
  /**
   * The program name oslo.config also searches for (`<prog>.conf`, `<prog>.conf.d`): Nova's
   * `nova-manage` by default.
   */
  prog?: string;
  /** Flag values; they win over every other layer. */
  overrides: { apiDatabaseConnection?: string; databaseConnection?: string; transportUrl?: string };
  /** Flag spellings for `sourceOf` (defaults: DEFAULT_OVERRIDE_LABELS). */
  overrideLabels?: Partial<Record<ConfigSetting, string>>;
}

/** The configuration after every layer. */
export interface LoadedConfig {
  /** Empty values count as unset for these three. */
  apiDatabaseConnection?: string;
  databaseConnection?: string;
  transportUrl?: string;
  /** Set when the embedded default is in use. */
  embeddedHome?: string;
  /**
   * Why the embedded deployment is in use: `CELLCTL_HOME` or `XDG_DATA_HOME` named its home
   * (chosen over any nova.conf in Nova's locations), or no nova.conf was found there.
   */
  embeddedReason?: 'CELLCTL_HOME' | 'XDG_DATA_HOME' | 'none-found';
  /** The nova.conf files and nova.conf.d directories found in Nova's default locations (read unless the embedded deployment was chosen). */
  discovered: string[];
  /** Files actually read, absolute, in order. */
  files: string[];
  /**
   * The layer that gave a setting its final value (`--api-db`, `OS_DATABASE__CONNECTION`,
   * `/etc/nova/nova.conf [database] connection`), even when that value is empty; undefined if none.
   */
  sourceOf: (setting: ConfigSetting) => string | undefined;
  /** Any value after every layer (flags cover the three settings only); empty values are returned as ''. */
  get(group: string, option: string): string | undefined;
  /**
   * Set when the embedded nova.conf does not exist yet (its values were read as it will be
   * written): writes it, and returns the notice to print when this call created it. Throws
   * FileSystemError when the home cannot be created or written.
   */
  writeEmbeddedConfig?: () => string | undefined;
}

/** Returns the oslo.config environment variable for an option: `OS_<GROUP>__<OPTION>`, upper-cased. */
export function environmentVariableName(group: string, option: string): string {
  return `OS_${normalizeGroupName(group).toUpperCase()}__${normalizeOptionName(option).toUpperCase()}`;
}

interface ParsedFile {
  path: string;
  sections: IniSections;
}

interface SourcedValue {
  value: string;
  source: string;
}

/**
 * Loads the configuration as oslo.config layers it for Nova: Nova's default files (see
 * findDefaultConfig) unless `configFiles` are given, its default directories unless `configDir`
 * is, then `configFiles` in order and `configDir`, then `OS_<GROUP>__<OPTION>` variables, then
 * `overrides`. With neither files nor dir, the embedded nova.conf instead when `CELLCTL_HOME` or
 * `XDG_DATA_HOME` names its home or nothing was found (read as it will be written when it does not
 * exist yet: see writeEmbeddedConfig). Throws ConfigError for a missing, unreadable or malformed
 * file or directory.
 */
export function loadConfig(input: LoadConfigInput): LoadedConfig {
  const paths: string[] = [];
  let embeddedHome: string | undefined;
  let embeddedReason: LoadedConfig['embeddedReason'];

  const filesGiven = input.configFiles.length > 0;
  const dirGiven = input.configDir !== undefined;
  const defaults = findDefaultConfig(input);
  const explicitHome = explicitEmbeddedHome(input.env);
  if (!filesGiven && !dirGiven && (explicitHome !== undefined || defaults.files.length + defaults.dirs.length === 0)) {
    // NOTE: a home named by CELLCTL_HOME/XDG_DATA_HOME beats a discovered nova.conf (explicit
    // beats discovered), so that tests and scripts never depend on what is under /etc.
    embeddedHome = resolveEmbeddedHome(input.env, input.homeDir, input.cwd);
    embeddedReason = explicitHome ?? 'none-found';
    paths.push(embeddedPaths(embeddedHome).configFile);
  } else {
    // As oslo.config's _parse_config_files: the default files unless --config-file is given, then
    // the default directories unless --config-dir is given, then the command line's.
    if (!filesGiven) paths.push(...defaults.files);
    if (!dirGiven) for (const dir of defaults.dirs) paths.push(...listConfigDir(dir, { skipNonDirectory: true }));
    for (const file of input.configFiles) paths.push(resolve(input.cwd, file));
    if (input.configDir !== undefined) paths.push(...listConfigDir(resolve(input.cwd, input.configDir)));
  }
  // NOTE: an embedded nova.conf not written yet is read as it will be written; writing it waits
  // for writeEmbeddedConfig, so that a command refusing its input leaves no file behind.
  const pendingHome = embeddedHome !== undefined && !existsSync(paths[0] as string) ? embeddedHome : undefined;
  const parsed: ParsedFile[] = paths.map((path) => ({
    path,
    sections: parseIni(pendingHome !== undefined ? renderEmbeddedConfig(pendingHome) : readConfigFile(path), path),
  }));

  const lookup = (group: string, option: string): SourcedValue | undefined => {
    const g = normalizeGroupName(group);
    const o = normalizeOptionName(option);
    let found: SourcedValue | undefined;
    for (const file of parsed) {
      const value = file.sections.get(g)?.get(o);
      if (value !== undefined) found = { value, source: `${file.path} [${g}] ${o}` };
    }
    const variable = environmentVariableName(g, o);
    const fromEnv = input.env[variable];
    if (fromEnv !== undefined) found = { value: fromEnv, source: variable };
    return found;
  };

  const labels = { ...DEFAULT_OVERRIDE_LABELS, ...input.overrideLabels };
  const settings = new Map<ConfigSetting, SourcedValue | undefined>();
  for (const setting of Object.keys(SETTING_LOCATIONS) as ConfigSetting[]) {
    const override = input.overrides[setting];
    const { group, option } = SETTING_LOCATIONS[setting];
    settings.set(setting, override !== undefined ? { value: override, source: labels[setting] } : lookup(group, option));
  }
  const valueOf = (setting: ConfigSetting): string | undefined => {
    const value = settings.get(setting)?.value;
    return value === undefined || value === '' ? undefined : value;
  };

  const settingAt = (group: string, option: string): ConfigSetting | undefined =>
    (Object.keys(SETTING_LOCATIONS) as ConfigSetting[]).find(
      (setting) =>
        SETTING_LOCATIONS[setting].group === normalizeGroupName(group) && SETTING_LOCATIONS[setting].option === normalizeOptionName(option),
    );
  const config: LoadedConfig = {
    discovered: [...defaults.files, ...defaults.dirs],
    files: [...paths],
    sourceOf: (setting) => settings.get(setting)?.source,
    get: (group, option) => {
      const setting = settingAt(group, option);
      return setting !== undefined ? settings.get(setting)?.value : lookup(group, option)?.value;
    },
  };
  const api = valueOf('apiDatabaseConnection');
  const cell = valueOf('databaseConnection');
  const transport = valueOf('transportUrl');
  if (api !== undefined) config.apiDatabaseConnection = api;
  if (cell !== undefined) config.databaseConnection = cell;
  if (transport !== undefined) config.transportUrl = transport;
  if (embeddedHome !== undefined) config.embeddedHome = embeddedHome;
  if (embeddedReason !== undefined) config.embeddedReason = embeddedReason;
  if (pendingHome !== undefined) {
    config.writeEmbeddedConfig = () => (ensureEmbeddedConfig(pendingHome).created ? embeddedCreatedNotice(pendingHome) : undefined);
  }
  return config;
}

/** The project oslo.config searches for on Nova's behalf (`nova.conf`, `nova.conf.d`). */
export const NOVA_PROJECT = 'nova';
/** The program name Nova's nova-manage gives oslo.config (its argv[0]). */
export const NOVA_MANAGE_PROG = 'nova-manage';

/** The environment variables that name the embedded home explicitly, in the order they are read. */
function explicitEmbeddedHome(env: Record<string, string | undefined>): 'CELLCTL_HOME' | 'XDG_DATA_HOME' | undefined {
  if (env.CELLCTL_HOME !== undefined && env.CELLCTL_HOME !== '') return 'CELLCTL_HOME';
  // resolveEmbeddedHome ignores a relative XDG_DATA_HOME, as the XDG specification says.
  if (env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' && isAbsolute(env.XDG_DATA_HOME)) return 'XDG_DATA_HOME';
  return undefined;
}

/**
 * The directories oslo.config searches, in its order (oslo_config/cfg.py `_get_config_dirs`,
 * oslo.config 9.0 as Debian ships it for Nova 26): `~/.nova`, `~`, `/etc/nova`, `/etc`, then
 * `$SNAP_COMMON/etc/nova` and `$SNAP/etc/nova` when those variables are set. The system ones are
 * looked up under `systemRoot`.
 */
export function novaConfigSearchDirs(input: Pick<LoadConfigInput, 'env' | 'homeDir' | 'systemRoot'>): string[] {
  const root = input.systemRoot ?? '/';
  const dirs = [join(input.homeDir, `.${NOVA_PROJECT}`), input.homeDir, join(root, 'etc', NOVA_PROJECT), join(root, 'etc')];
  const snapCommon = input.env.SNAP_COMMON;
  const snap = input.env.SNAP;
  if (snapCommon) dirs.push(join(snapCommon, 'etc', NOVA_PROJECT));
  if (snap) dirs.push(join(snap, 'etc', NOVA_PROJECT));
  return dirs;
}

/**
 * Nova's default configuration as oslo.config finds it (`find_config_files` and
 * `find_config_dirs` with project `nova` and prog `nova-manage`): for `nova` and then the prog,
 * the first search directory holding `<name>.conf` (files) and `<name>.conf.d` (directories), so
 * at most two of each. Reads nothing but the file system's entries.
 */
export function findDefaultConfig(input: Pick<LoadConfigInput, 'env' | 'homeDir' | 'systemRoot' | 'prog'>): { files: string[]; dirs: string[] } {
  const dirs = novaConfigSearchDirs(input);
  const names = [NOVA_PROJECT, input.prog ?? NOVA_MANAGE_PROG];
  // NOTE: os.path.exists, as oslo's _search_dirs: whatever the entry is (a directory named
  // nova.conf is found, and then fails to read, as it does for Nova).
  const first = (name: string): string | undefined => dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
  const found = (extension: string) => [...new Set(names)].map((name) => first(`${name}${extension}`)).filter((path): path is string => path !== undefined);
  return { files: found('.conf'), dirs: found('.conf.d') };
}

/**
 * `*.conf` files of a directory sorted by name (hidden files skipped, as Python's glob does).
 * With `skipNonDirectory` (oslo's default directories) an entry that is not a directory gives none.
 */
function listConfigDir(dir: string, options: { skipNonDirectory?: boolean } = {}): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) {
      if (options.skipNonDirectory) return [];
      throw new ConfigError(`configuration directory ${dir} is not a directory`);
    }
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read configuration directory ${dir}: ${describeFsError(error)}`, { cause: error });
  }
  return names
    .filter((name) => name.endsWith('.conf') && !name.startsWith('.'))
    .sort()
    .map((name) => resolve(dir, name));
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${describeFsError(error)}`, { cause: error });
  }
}
