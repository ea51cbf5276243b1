import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentVariableName, loadConfig, type LoadConfigInput } from '../../src/config/config-loader';
import {
  embeddedPaths,
  ensureEmbeddedConfig,
  renderEmbeddedConfig,
  resolveEmbeddedHome,
} from '../../src/config/embedded-home';
import { parseIni } from '../../src/config/ini-parser';
import { parseDatabaseUrl } from '../../src/domain/database-url';
import { ConfigError, FileSystemError } from '../../src/domain/errors';
import { catchError } from '../support/errors';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cellctl-config-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(root, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function input(overrides: Partial<LoadConfigInput> = {}): LoadConfigInput {
  return {
    configFiles: [],
    env: { CELLCTL_HOME: join(root, 'home') },
    cwd: root,
    homeDir: join(root, 'user'),
    systemRoot: join(root, 'sys'),
    overrides: {},
    ...overrides,
  };
}

describe('loadConfig: layers', () => {
  it('reads the three settings from one file and says where they came from', () => {
    const file = write(
      'nova.conf',
      '[DEFAULT]\ntransport_url = rabbit://u:p@mq/\n[api_database]\nconnection = mysql://u:p@db/nova_api\n[database]\nconnection = mysql://u:p@db/nova\n',
    );
    const config = loadConfig(input({ configFiles: [file] }));
    expect(config).toMatchObject({
      transportUrl: 'rabbit://u:p@mq/',
      apiDatabaseConnection: 'mysql://u:p@db/nova_api',
      databaseConnection: 'mysql://u:p@db/nova',
      files: [file],
    });
    expect(config.embeddedHome).toBeUndefined();
    expect(config.writeEmbeddedConfig).toBeUndefined();
    expect(config.sourceOf('apiDatabaseConnection')).toBe(`${file} [api_database] connection`);
    expect(config.sourceOf('transportUrl')).toBe(`${file} [DEFAULT] transport_url`);
  });

  it('lets a later --config-file win, option by option', () => {
    const first = write('a.conf', '[api_database]\nconnection = sqlite:////first_api.db\n[database]\nconnection = sqlite:////first.db\n');
    const second = write('b.conf', '[database]\nconnection = sqlite:////second.db\n');
    const config = loadConfig(input({ configFiles: [first, second] }));
    expect(config.apiDatabaseConnection).toBe('sqlite:////first_api.db');
    expect(config.databaseConnection).toBe('sqlite:////second.db');
    expect(config.sourceOf('databaseConnection')).toBe(`${second} [database] connection`);
    expect(config.files).toEqual([first, second]);
  });

  it('resolves relative --config-file paths against cwd', () => {
    const file = write('etc/nova.conf', '[database]\nconnection = sqlite:///x.db\n');
    expect(loadConfig(input({ configFiles: ['etc/nova.conf'] })).files).toEqual([file]);
  });

  it('reads --config-dir after the files: every *.conf by name, hidden and other files skipped', () => {
    const file = write('nova.conf', '[database]\nconnection = sqlite:////from_file.db\n[api_database]\nconnection = sqlite:////api_from_file.db\n');
    const dir = join(root, 'nova.conf.d');
    write('nova.conf.d/20-b.conf', '[database]\nconnection = sqlite:////from_20.db\n');
    write('nova.conf.d/10-a.conf', '[database]\nconnection = sqlite:////from_10.db\n[DEFAULT]\ntransport_url = fake://a/\n');
    write('nova.conf.d/30-c.conf.disabled', '[database]\nconnection = sqlite:////disabled.db\n');
    write('nova.conf.d/.hidden.conf', '[database]\nconnection = sqlite:////hidden.db\n');
    const config = loadConfig(input({ configFiles: [file], configDir: dir }));
    expect(config.files).toEqual([file, join(dir, '10-a.conf'), join(dir, '20-b.conf')]);
    expect(config.databaseConnection).toBe('sqlite:////from_20.db');
    expect(config.apiDatabaseConnection).toBe('sqlite:////api_from_file.db');
    expect(config.transportUrl).toBe('fake://a/');
    expect(config.embeddedHome).toBeUndefined();
  });

  it('uses only the directory when no file is given (no embedded default)', () => {
    write('d/a.conf', '[database]\nconnection = sqlite:////a.db\n');
    const config = loadConfig(input({ configDir: 'd' }));
    expect(config.databaseConnection).toBe('sqlite:////a.db');
    expect(config.apiDatabaseConnection).toBeUndefined();
    expect(config.sourceOf('apiDatabaseConnection')).toBeUndefined();
    expect(config.embeddedHome).toBeUndefined();
    expect(() => statSync(join(root, 'home'))).toThrow();
  });

  it('lets OS_<GROUP>__<OPTION> variables override files, and flags override everything', () => {
    const file = write(
      'nova.conf',
      '[DEFAULT]\ntransport_url = rabbit://file/\ndebug = false\n[api_database]\nconnection = sqlite:////file_api.db\n[database]\nconnection = sqlite:////file.db\n[oslo_messaging_rabbit]\nrabbit_ha_queues = false\n',
    );
    const env = {
      OS_API_DATABASE__CONNECTION: 'sqlite:////env_api.db',
      OS_DATABASE__CONNECTION: 'sqlite:////env.db',
      OS_DEFAULT__TRANSPORT_URL: 'rabbit://env/',
      OS_OSLO_MESSAGING_RABBIT__RABBIT_HA_QUEUES: 'true',
      OS_DEFAULT__DEBUG: 'true',
    };
    const fromEnv = loadConfig(input({ configFiles: [file], env }));
    expect(fromEnv).toMatchObject({
      apiDatabaseConnection: 'sqlite:////env_api.db',
      databaseConnection: 'sqlite:////env.db',
      transportUrl: 'rabbit://env/',
    });
    expect(fromEnv.sourceOf('databaseConnection')).toBe('OS_DATABASE__CONNECTION');
    expect(fromEnv.get('oslo_messaging_rabbit', 'rabbit_ha_queues')).toBe('true');
    expect(fromEnv.get('OSLO_MESSAGING_RABBIT', 'rabbit-ha-queues')).toBe('true');
    expect(fromEnv.get('DEFAULT', 'debug')).toBe('true');
    expect(fromEnv.get('DEFAULT', 'missing')).toBeUndefined();

    const fromFlags = loadConfig(
      input({ configFiles: [file], env, overrides: { apiDatabaseConnection: 'sqlite:////flag_api.db', transportUrl: 'fake://flag/' } }),
    );
    expect(fromFlags).toMatchObject({
      apiDatabaseConnection: 'sqlite:////flag_api.db',
      databaseConnection: 'sqlite:////env.db',
      transportUrl: 'fake://flag/',
    });
    expect(fromFlags.sourceOf('apiDatabaseConnection')).toBe('--api-db');
    expect(fromFlags.sourceOf('transportUrl')).toBe('--transport-url');
    expect(fromFlags.sourceOf('databaseConnection')).toBe('OS_DATABASE__CONNECTION');
    expect(fromFlags.get('api_database', 'connection')).toBe('sqlite:////flag_api.db');
    expect(fromFlags.get('DEFAULT', 'transport-url')).toBe('fake://flag/');

    const labelled = loadConfig(
      input({ configFiles: [file], overrides: { databaseConnection: 'sqlite:////f.db' }, overrideLabels: { databaseConnection: '--database_connection' } }),
    );
    expect(labelled.sourceOf('databaseConnection')).toBe('--database_connection');
  });

  it('treats an empty connection as unset, while keeping its source', () => {
    const file = write('nova.conf', '[api_database]\nconnection =\n[database]\nconnection = sqlite:////x.db\n');
    const config = loadConfig(input({ configFiles: [file], env: { OS_DATABASE__CONNECTION: '' } }));
    expect(config.apiDatabaseConnection).toBeUndefined();
    expect(config.databaseConnection).toBeUndefined();
    expect(config.sourceOf('apiDatabaseConnection')).toBe(`${file} [api_database] connection`);
    expect(config.sourceOf('databaseConnection')).toBe('OS_DATABASE__CONNECTION');
    expect(config.get('api_database', 'connection')).toBe('');
  });

  it('keeps an inline "#" in a value, as oslo.config does', () => {
    const file = write('nova.conf', '[database]\nconnection = sqlite:////x.db # comment\n');
    expect(loadConfig(input({ configFiles: [file] })).databaseConnection).toBe('sqlite:////x.db # comment');
  });

  it('names environment variables the oslo.config way', () => {
    expect(environmentVariableName('api_database', 'connection')).toBe('OS_API_DATABASE__CONNECTION');
    expect(environmentVariableName('DEFAULT', 'transport-url')).toBe('OS_DEFAULT__TRANSPORT_URL');
  });
});

describe('loadConfig: errors', () => {
  it('refuses a missing --config-file, naming the path', () => {
    const missing = join(root, 'nope.conf');
    const error = catchError(() => loadConfig(input({ configFiles: [missing] })));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).kind).toBe('invalid-input');
    expect(error.message).toBe(`cannot read configuration file ${missing}: no such file or directory`);
  });

  it('refuses a --config-file that is a directory', () => {
    mkdirSync(join(root, 'dir.conf'));
    expect(catchError(() => loadConfig(input({ configFiles: ['dir.conf'] }))).message).toMatch(/dir\.conf: is a directory$/);
  });

  // Root reads any file whatever its mode, so this case can only be checked as another user.
  (process.getuid?.() === 0 ? it.skip : it)('refuses an unreadable --config-file', () => {
    const file = write('secret.conf', '[database]\nconnection = x\n');
    chmodSync(file, 0o000);
    expect(catchError(() => loadConfig(input({ configFiles: [file] }))).message).toMatch(/permission denied/);
  });

  it('refuses a missing or non-directory --config-dir', () => {
    const missing = catchError(() => loadConfig(input({ configDir: join(root, 'none.d') })));
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.message).toBe(`cannot read configuration directory ${join(root, 'none.d')}: no such file or directory`);
    const file = write('plain', '');
    expect(catchError(() => loadConfig(input({ configDir: file }))).message).toMatch(/is not a directory/);
  });

  it('reports parse errors with file and line', () => {
    const file = write('bad.conf', '[database]\nconnection = x\n\n  orphan continuation\n');
    const error = catchError(() => loadConfig(input({ configFiles: [file] })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`${file}:4: unexpected continuation line`);
  });
});

describe("loadConfig: Nova's default locations, as oslo.config searches them", () => {
  const conf = (value: string) => `[database]\nconnection = sqlite:////${value}.db\n`;
  // With no CELLCTL_HOME or XDG_DATA_HOME: what is found decides.
  const discover = (overrides: Partial<LoadConfigInput> = {}) => loadConfig(input({ env: {}, ...overrides }));
  const LOCATIONS: Array<[string, string]> = [
    ['~/.nova/nova.conf', 'user/.nova/nova.conf'],
    ['~/nova.conf', 'user/nova.conf'],
    ['/etc/nova/nova.conf', 'sys/etc/nova/nova.conf'],
    ['/etc/nova.conf', 'sys/etc/nova.conf'],
  ];

  it.each(LOCATIONS)('reads %s when it is the only one, instead of the embedded deployment', (_label, path) => {
    const file = write(path, conf('found'));
    const config = discover();
    expect(config).toMatchObject({ files: [file], discovered: [file], databaseConnection: 'sqlite:////found.db' });
    expect(config.embeddedHome).toBeUndefined();
    expect(config.writeEmbeddedConfig).toBeUndefined();
    expect(config.sourceOf('databaseConnection')).toBe(`${file} [database] connection`);
  });

  it('reads only the first nova.conf in the order ~/.nova, ~, /etc/nova, /etc', () => {
    const files = LOCATIONS.map(([, path], i) => write(path, conf(`n${i}`)));
    for (const [i, file] of files.entries()) {
      const config = discover();
      expect([i, config.files, config.databaseConnection]).toEqual([i, [file], `sqlite:////n${i}.db`]);
      rmSync(file);
    }
    expect(discover().embeddedHome).toBe(join(root, 'user', '.local', 'share', 'cellctl'));
  });

  it("also reads the first nova-manage.conf (the program's name), after nova.conf", () => {
    const nova = write('sys/etc/nova/nova.conf', conf('nova') + '[api_database]\nconnection = sqlite:////api.db\n');
    const prog = write('user/nova-manage.conf', conf('prog'));
    write('sys/etc/nova-manage.conf', conf('second'));
    const config = discover();
    expect(config.files).toEqual([nova, prog]);
    expect(config.databaseConnection).toBe('sqlite:////prog.db');
    expect(config.apiDatabaseConnection).toBe('sqlite:////api.db');
    expect(discover({ prog: 'nova-status' }).files).toEqual([nova]);
  });

  it('reads the first nova.conf.d/ and nova-manage.conf.d/ after the files, each *.conf by name', () => {
    const file = write('sys/etc/nova/nova.conf', conf('file'));
    const b = write('user/.nova/nova.conf.d/20-b.conf', conf('b'));
    const a = write('user/.nova/nova.conf.d/10-a.conf', conf('a'));
    write('user/.nova/nova.conf.d/.hidden.conf', conf('hidden'));
    write('user/.nova/nova.conf.d/notes.txt', conf('txt'));
    write('sys/etc/nova/nova.conf.d/99-later.conf', conf('not-first'));
    const prog = write('sys/etc/nova-manage.conf.d/50-p.conf', conf('p'));
    const config = discover();
    expect(config.files).toEqual([file, a, b, prog]);
    expect(config.discovered).toEqual([file, join(root, 'user/.nova/nova.conf.d'), join(root, 'sys/etc/nova-manage.conf.d')]);
    expect(config.databaseConnection).toBe('sqlite:////p.db');
  });

  it('reads a nova.conf.d/ found alone, and skips one that is not a directory', () => {
    const only = write('sys/etc/nova/nova.conf.d/a.conf', conf('dir'));
    expect(discover()).toMatchObject({ files: [only], databaseConnection: 'sqlite:////dir.db' });
    rmSync(join(root, 'sys/etc/nova/nova.conf.d'), { recursive: true });
    write('sys/etc/nova/nova.conf.d', 'a file');
    const file = write('sys/etc/nova.conf', conf('file'));
    expect(discover().files).toEqual([file]);
  });

  it("looks in $SNAP_COMMON/etc/nova and $SNAP/etc/nova last, when they are set", () => {
    const snap = write('snap/etc/nova/nova.conf', conf('snap'));
    expect(discover().files).toEqual([join(root, 'user', '.local', 'share', 'cellctl', 'nova.conf')]);
    expect(discover({ env: { SNAP: join(root, 'snap') } }).files).toEqual([snap]);
    const common = write('common/etc/nova/nova.conf', conf('common'));
    expect(discover({ env: { SNAP: join(root, 'snap'), SNAP_COMMON: join(root, 'common') } }).files).toEqual([common]);
  });

  it('gives way to CELLCTL_HOME or XDG_DATA_HOME, which choose the embedded deployment (explicit beats discovered)', () => {
    const found = write('sys/etc/nova/nova.conf', conf('found'));
    write('sys/etc/nova/nova.conf.d/a.conf', conf('dir'));
    const home = join(root, 'home');
    const byHome = discover({ env: { CELLCTL_HOME: home } });
    expect(byHome).toMatchObject({ embeddedHome: home, embeddedReason: 'CELLCTL_HOME', files: [join(home, 'nova.conf')], databaseConnection: `sqlite:///${home}/nova.sqlite` });
    expect(byHome.discovered[0]).toBe(found);
    const xdg = join(root, 'xdg');
    expect(discover({ env: { XDG_DATA_HOME: xdg } })).toMatchObject({ embeddedHome: join(xdg, 'cellctl'), embeddedReason: 'XDG_DATA_HOME' });
    // A relative XDG_DATA_HOME is ignored (XDG), so it chooses nothing.
    expect(discover({ env: { XDG_DATA_HOME: 'relative' } }).files[0]).toBe(found);
    expect(discover().embeddedReason).toBeUndefined();
    rmSync(join(root, 'sys'), { recursive: true });
    expect(discover().embeddedReason).toBe('none-found');
  });

  it('reads the default directories before a --config-file, and the default files before a --config-dir, as oslo.config does', () => {
    const found = write('sys/etc/nova/nova.conf', conf('found'));
    const inDir = write('sys/etc/nova/nova.conf.d/a.conf', conf('dir'));
    const given = write('given.conf', conf('given'));
    write('d/x.conf', conf('x'));
    expect(discover({ configFiles: [given] }).files).toEqual([inDir, given]);
    expect(discover({ configFiles: [given] }).databaseConnection).toBe('sqlite:////given.db');
    expect(discover({ configDir: 'd' }).files).toEqual([found, join(root, 'd', 'x.conf')]);
    expect(discover({ configFiles: [given], configDir: 'd' }).files).toEqual([given, join(root, 'd', 'x.conf')]);
    // ... also when CELLCTL_HOME is set: it only chooses the embedded deployment when no file or directory is given.
    expect(discover({ configFiles: [given], env: { CELLCTL_HOME: join(root, 'home') } }).files).toEqual([inDir, given]);
  });

  it('refuses a discovered nova.conf that cannot be read, naming it', () => {
    mkdirSync(join(root, 'user', 'nova.conf'), { recursive: true });
    const error = catchError(() => discover());
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`cannot read configuration file ${join(root, 'user', 'nova.conf')}: is a directory`);
  });
});

describe('embedded default', () => {
  it('reads <home>/nova.conf as it will be, writes it when asked, says so once, and reads it like any file', () => {
    const home = join(root, 'home');
    const first = loadConfig(input());
    const paths = embeddedPaths(home);
    expect(existsSync(home)).toBe(false);
    expect(first.writeEmbeddedConfig?.()).toBe(
      `created the embedded deployment configuration ${paths.configFile} (API database ${paths.apiDatabase}, cell database ${paths.cellDatabase})`,
    );
    expect(first.writeEmbeddedConfig?.()).toBeUndefined();
    expect(first).toMatchObject({
      embeddedHome: home,
      files: [paths.configFile],
      transportUrl: 'fake://embedded/',
      apiDatabaseConnection: `sqlite:///${home}/nova_api.sqlite`,
      databaseConnection: `sqlite:///${home}/nova.sqlite`,
    });
    expect(first.apiDatabaseConnection).toBe(`sqlite:///${root}/home/nova_api.sqlite`);
    expect(first.apiDatabaseConnection?.startsWith('sqlite:////')).toBe(true);
    expect(first.sourceOf('databaseConnection')).toBe(`${paths.configFile} [database] connection`);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(paths.configFile).mode & 0o777).toBe(0o600);

    const second = loadConfig(input());
    expect(second.writeEmbeddedConfig).toBeUndefined();
    expect(second.apiDatabaseConnection).toBe(first.apiDatabaseConnection);
    expect(readdirSync(home)).toEqual(['nova.conf']);
  });

  it('writes a file oslo.config reads to the same values, with comments on their own lines only', () => {
    const home = join(root, 'h');
    const text = renderEmbeddedConfig(home);
    const sections = parseIni(text, 'nova.conf');
    expect(sections.get('DEFAULT')?.get('transport_url')).toBe('fake://embedded/');
    expect(sections.get('api_database')?.get('connection')).toBe(`sqlite:///${home}/nova_api.sqlite`);
    expect(sections.get('database')?.get('connection')).toBe(`sqlite:///${home}/nova.sqlite`);
    for (const line of text.split('\n')) {
      if (!line.startsWith('#')) expect(line).not.toContain('#');
    }
    expect(text).toContain(`nova-manage --config-file ${home}/nova.conf`);
    expect(parseDatabaseUrl(`sqlite:///${home}/nova.sqlite`, '/elsewhere')).toMatchObject({ path: `${home}/nova.sqlite` });
  });

  it('keeps the rest of the embedded file when a flag or variable sets one value', () => {
    const home = join(root, 'home');
    const config = loadConfig(
      input({ env: { CELLCTL_HOME: home, OS_DEFAULT__TRANSPORT_URL: 'rabbit://env/' }, overrides: { apiDatabaseConnection: 'sqlite:////flag.db' } }),
    );
    expect(config).toMatchObject({
      apiDatabaseConnection: 'sqlite:////flag.db',
      databaseConnection: `sqlite:///${home}/nova.sqlite`,
      transportUrl: 'rabbit://env/',
      embeddedHome: home,
    });
  });

  it('uses an edited embedded file as written', () => {
    const home = join(root, 'home');
    loadConfig(input()).writeEmbeddedConfig?.();
    writeFileSync(join(home, 'nova.conf'), '[database]\nconnection = sqlite:////edited.db\n');
    const config = loadConfig(input());
    expect(config.databaseConnection).toBe('sqlite:////edited.db');
    expect(config.apiDatabaseConnection).toBeUndefined();
    expect(config.writeEmbeddedConfig).toBeUndefined();
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['CELLCTL_HOME wins', { CELLCTL_HOME: '/x/cellctl-home', XDG_DATA_HOME: '/xdg' }, '/x/cellctl-home'],
    ['CELLCTL_HOME relative to cwd', { CELLCTL_HOME: 'rel/home' }, '/work/dir/rel/home'],
    ['XDG_DATA_HOME next', { XDG_DATA_HOME: '/xdg/data' }, '/xdg/data/cellctl'],
    ['empty CELLCTL_HOME ignored', { CELLCTL_HOME: '', XDG_DATA_HOME: '/xdg/data' }, '/xdg/data/cellctl'],
    ['relative XDG_DATA_HOME ignored', { XDG_DATA_HOME: 'relative' }, '/home/op/.local/share/cellctl'],
    ['home directory last', {}, '/home/op/.local/share/cellctl'],
  ])('home: %s', (_name, env, expected) => {
    expect(resolveEmbeddedHome(env, '/home/op', '/work/dir')).toBe(expected);
  });

  it('refuses a home that cannot be written into a SQLite URL', () => {
    expect(() => resolveEmbeddedHome({ CELLCTL_HOME: '/x/what?' }, '/h', '/')).toThrow(ConfigError);
    expect(() => resolveEmbeddedHome({ CELLCTL_HOME: '/x/line\nbreak' }, '/h', '/')).toThrow(ConfigError);
  });

  it('creates the home under XDG_DATA_HOME when CELLCTL_HOME is unset', () => {
    const xdg = join(root, 'xdg');
    const config = loadConfig(input({ env: { XDG_DATA_HOME: xdg } }));
    expect(config.embeddedHome).toBe(join(xdg, 'cellctl'));
    expect(config.files).toEqual([join(xdg, 'cellctl', 'nova.conf')]);
  });

  it('creates the home under the home directory as a last resort', () => {
    const config = loadConfig(input({ env: {} }));
    expect(config.embeddedHome).toBe(join(root, 'user', '.local', 'share', 'cellctl'));
    expect(config.writeEmbeddedConfig?.()).toMatch(/^created the embedded deployment configuration /);
  });

  it('never clobbers a file another run wrote first, and leaves no temporary files', () => {
    const home = join(root, 'race');
    mkdirSync(home);
    writeFileSync(join(home, 'nova.conf'), '[database]\nconnection = sqlite:////theirs.db\n');
    expect(ensureEmbeddedConfig(home)).toEqual({ configFile: join(home, 'nova.conf'), created: false });
    expect(readFileSync(join(home, 'nova.conf'), 'utf8')).toContain('theirs.db');

    const fresh = join(root, 'fresh');
    const results = [ensureEmbeddedConfig(fresh), ensureEmbeddedConfig(fresh), ensureEmbeddedConfig(fresh)];
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(readdirSync(fresh)).toEqual(['nova.conf']);
  });

  it('reports a home that cannot be created', () => {
    const blocker = write('blocker', 'a file, not a directory');
    const error = catchError(() => loadConfig(input({ env: { CELLCTL_HOME: join(blocker, 'home') } })).writeEmbeddedConfig?.());
    expect(error).toBeInstanceOf(FileSystemError);
    expect((error as FileSystemError).kind).toBe('environment');
    expect(error.message).toMatch(/^cannot create the embedded home .*blocker\/home: /);
  });
});
