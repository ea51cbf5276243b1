/**
 * `cellctl --help` must start fast (docs/performance.md): it loads no command's service code,
 * no database library and not ora. Checked in a fresh process on the built program, through
 * require.cache after the help was printed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function modulesLoadedBy(argv: string[], expectedCode = 0): string[] {
  const script = `
    const { Writable } = require('node:stream');
    const sink = new Writable({ write(_c, _e, done) { done(); } });
    require(${JSON.stringify(join(ROOT, 'dist', 'src', 'cli', 'run.js'))})
      .run(${JSON.stringify(argv)}, { stdout: sink, stderr: sink, env: {}, cwd: '/', homeDir: '/nonexistent' })
      .then((code) => { process.stdout.write(JSON.stringify({ code, modules: Object.keys(require.cache) })); });`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const { code, modules } = JSON.parse(result.stdout) as { code: number; modules: string[] };
  expect(code).toBe(expectedCode);
  return modules.map((m) => m.slice(ROOT.length));
}

describe('start-up', () => {
  it.each([[['--help']], [['db', 'sync', '--help']], [['map-instances', '--help']], [['help', 'db', 'sync']], [['cell', 'help']], [['completion', 'bash']]])('cellctl %j loads neither ora, nor services, nor database code', (argv) => {
    const loaded = modulesLoadedBy(argv);
    expect(loaded.some((m) => m.startsWith('/dist/src/cli/'))).toBe(true);
    expect(loaded.filter((m) => /\/node_modules\/(ora|kysely|mysql2|better-sqlite3|cli-spinners|chalk)\//.test(m) || m.startsWith('/dist/src/services/') || m.startsWith('/dist/src/db/'))).toEqual([]);
  });

  it('does load the services once a command runs (so the check above can fail)', () => {
    const loaded = modulesLoadedBy(['--api-db', 'sqlite:////nonexistent/x.sqlite', '-q', 'cell', 'list'], 255).filter((m) => m.startsWith('/dist/src/services/'));
    expect(loaded.length).toBeGreaterThan(0);
  });
});
