/**
 * One typed configuration from nova.conf-style files, oslo-style environment overrides and flags,
 * layered the way oslo.config does it, with the embedded deployment as the default file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
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
 * Loads the configuration: `configFiles` in order, then `configDir`, then `OS_<GROUP>__<OPTION>`
 * variables, then `overrides`; with neither files nor dir, the embedded nova.conf (read as it will
 * be written when it does not exist yet: see writeEmbeddedConfig). Throws ConfigError for a
 * missing, unreadable or malformed file or directory.
 */
export function loadConfig(input: LoadConfigInput): LoadedConfig {
  const paths: string[] = [];
  let embeddedHome: string | undefined;

  if (input.configFiles.length === 0 && input.configDir === undefined) {
    embeddedHome = resolveEmbeddedHome(input.env, input.homeDir, input.cwd);
    paths.push(embeddedPaths(embeddedHome).configFile);
  } else {
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
  if (pendingHome !== undefined) {
    config.writeEmbeddedConfig = () => (ensureEmbeddedConfig(pendingHome).created ? embeddedCreatedNotice(pendingHome) : undefined);
  }
  return config;
}

/** `*.conf` files of a directory sorted by name (hidden files skipped, as Python's glob does). */
function listConfigDir(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(`configuration directory ${dir} is not a directory`);
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
