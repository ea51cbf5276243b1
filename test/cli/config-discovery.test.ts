/**
 * Which configuration a run uses (issue 15, point 1): without --config-file/--config-dir, the first
 * nova.conf in Nova's own locations, as oslo.config finds it; the embedded deployment only when
 * there is none or CELLCTL_HOME/XDG_DATA_HOME chooses it, and then every run says so on stderr.
 * Every test has its own home directory and system root: nothing under the machine's /etc is read.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCellctlProcess, runCli, type CliRunOptions } from '../support/cli-runner';
import { runDir } from '../support/test-environment';

describe('configuration discovery', () => {
  let dir: string;
  let where: Required<Pick<CliRunOptions, 'homeDir' | 'systemRoot'>>;

  beforeEach(() => {
    dir = mkdtempSync(join(runDir(), 'discovery-'));
    where = { homeDir: join(dir, 'user'), systemRoot: join(dir, 'root') };
    mkdirSync(where.homeDir);
  });

  /** Writes a nova.conf-style file whose API database is `<dir>/<name>_api.sqlite`; returns its path. */
  function novaConf(path: string, name: string): string {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `[api_database]\nconnection = sqlite:///${join(dir, `${name}_api.sqlite`)}\n[database]\nconnection = sqlite:///${join(dir, `${name}.sqlite`)}\n`);
    return path;
  }

  /** Creates the API schema of the deployment `name` and one cell in it, named `name` too. */
  async function deployment(name: string): Promise<void> {
    const conf = novaConf(join(dir, `${name}.conf`), name);
    expect((await runCli(['--config-file', conf, '-q', 'api-db', 'sync'], { cwd: dir, ...where })).code).toBe(0);
    const created = await runCli(['--config-file', conf, '-q', 'cell', 'create', '--name', name, '--transport-url', `rabbit://${name}@mq/`], { cwd: dir, ...where });
    expect(created.code).toBe(0);
  }

  const cellNames = (argv: string[], options: CliRunOptions = {}) => runCli(['-f', 'value', '-c', 'name', ...argv, 'cell', 'list'], { cwd: dir, ...where, ...options });

  it('reads /etc/nova/nova.conf (under the system root) with no flag, and says nothing about it', async () => {
    await deployment('etc');
    novaConf(join(where.systemRoot, 'etc', 'nova', 'nova.conf'), 'etc');
    const result = await cellNames([]);
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'etc\n', '']);
  });

  it('prefers ~/.nova/nova.conf to ~/nova.conf to /etc/nova/nova.conf to /etc/nova.conf', async () => {
    const order: Array<[string, string]> = [
      ['home_dot', join(where.homeDir, '.nova', 'nova.conf')],
      ['home', join(where.homeDir, 'nova.conf')],
      ['etc_nova', join(where.systemRoot, 'etc', 'nova', 'nova.conf')],
      ['etc', join(where.systemRoot, 'etc', 'nova.conf')],
    ];
    for (const [name, path] of order) {
      await deployment(name);
      novaConf(path, name);
    }
    for (const [name, path] of order) {
      const result = await cellNames([]);
      expect([name, result.code, result.stdout]).toEqual([name, 0, `${name}\n`]);
      rmSync(path);
    }
  });

  it('layers /etc/nova/nova.conf.d/*.conf over nova.conf, by name', async () => {
    await deployment('base');
    await deployment('override');
    novaConf(join(where.systemRoot, 'etc', 'nova', 'nova.conf'), 'base');
    novaConf(join(where.systemRoot, 'etc', 'nova', 'nova.conf.d', '50-override.conf'), 'override');
    novaConf(join(where.systemRoot, 'etc', 'nova', 'nova.conf.d', '10-first.conf'), 'base');
    expect((await cellNames([])).stdout).toBe('override\n');
  });

  it('uses the embedded deployment when no nova.conf is found, and says so in one line that -q silences', async () => {
    const result = await cellNames([]);
    const home = join(where.homeDir, '.local', 'share', 'cellctl');
    expect(result.code).toBe(255);
    expect(result.stderr.split('\n')[0]).toBe(
      `using the embedded deployment ${join(home, 'nova.conf')} (not created yet): no nova.conf in ~/.nova, ~, /etc/nova or /etc (--config-file names one)`,
    );
    expect((await runCli(['-q', 'api-db', 'sync'], { cwd: dir, ...where })).code).toBe(0);
    const again = await cellNames([]);
    expect([again.code, again.stderr]).toEqual([0, `using the embedded deployment ${join(home, 'nova.conf')}: no nova.conf in ~/.nova, ~, /etc/nova or /etc (--config-file names one)\n`]);
    expect(await cellNames(['-q'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('uses the embedded deployment CELLCTL_HOME or XDG_DATA_HOME names even when a nova.conf is found, and names that file', async () => {
    await deployment('etc');
    const found = novaConf(join(where.systemRoot, 'etc', 'nova', 'nova.conf'), 'etc');
    const home = join(dir, 'chosen');
    expect((await runCli(['-q', 'api-db', 'sync'], { cwd: dir, ...where, env: { CELLCTL_HOME: home } })).code).toBe(0);
    const result = await cellNames([], { env: { CELLCTL_HOME: home } });
    expect([result.code, result.stdout]).toEqual([0, '']);
    expect(result.stderr).toBe(`using the embedded deployment ${join(home, 'nova.conf')}: CELLCTL_HOME chooses it; unset it to use ${found}\n`);
    const xdg = await cellNames([], { env: { XDG_DATA_HOME: join(dir, 'xdg') } });
    expect(xdg.stderr.split('\n')[0]).toBe(`using the embedded deployment ${join(dir, 'xdg', 'cellctl', 'nova.conf')} (not created yet): XDG_DATA_HOME chooses it; unset it to use ${found}`);
    expect(existsSync(join(dir, 'xdg'))).toBe(false);
    // --config-file still names the configuration, embedded home or not.
    expect((await cellNames(['--config-file', found], { env: { CELLCTL_HOME: home } })).stdout).toBe('etc\n');
  });

  it('names the files it read with --debug', async () => {
    await deployment('etc');
    const file = novaConf(join(where.systemRoot, 'etc', 'nova', 'nova.conf'), 'etc');
    const extra = novaConf(join(where.systemRoot, 'etc', 'nova', 'nova.conf.d', 'a.conf'), 'etc');
    const result = await cellNames(['--debug']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`cellctl: debug: configuration files read: ${file}, ${extra}\n`);
    const embedded = await cellNames(['--debug'], { env: { CELLCTL_HOME: join(dir, 'chosen') } });
    expect(embedded.stderr).toContain(
      `cellctl: debug: configuration files read: none (the embedded nova.conf is not written yet: its values are the defaults it will hold); found and not read: ${file}, ${join(where.systemRoot, 'etc', 'nova', 'nova.conf.d')}\n`,
    );
  });

  it('finds ~/.nova/nova.conf, and nova-manage.conf under CELLCTL_SYSTEM_ROOT read after it, from the built program too', async () => {
    await deployment('dot');
    novaConf(join(where.homeDir, '.nova', 'nova.conf'), 'dot');
    const result = await runCellctlProcess(['-f', 'value', '-c', 'name', 'cell', 'list'], { cwd: dir, ...where });
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'dot\n', '']);
    await deployment('etc');
    novaConf(join(where.systemRoot, 'etc', 'nova', 'nova-manage.conf'), 'etc');
    const both = await runCellctlProcess(['-f', 'value', '-c', 'name', 'cell', 'list'], { cwd: dir, ...where });
    expect([both.code, both.stdout]).toEqual([0, 'etc\n']);
  });
});
