/**
 * A reader that goes away early (`cellctl cell list | head -c1`, `cellctl --help | true`) ends the
 * run quietly with 141, the status a shell reports for a tool ended by SIGPIPE: no stack trace, no
 * "Error: write EPIPE". Each case runs the built bin/cellctl (`npm run build` first) on a real pipe,
 * several times, so that a race between the writer and the reader cannot hide a crash.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CLOSED_PIPE } from '../../src/cli/exit-codes';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';

const BIN = join(__dirname, '..', '..', 'bin', 'cellctl');
const RUNS = 5;
const ENV = { PATH: process.env.PATH, HOME: '/nonexistent-home', CELLCTL_HOME: '/nonexistent-cellctl-home', CELLCTL_SYSTEM_ROOT: '/nonexistent-system-root' };

/** Runs cellctl with `stream` ('stdout' or 'stderr') a pipe whose reading end is closed before cellctl starts. */
function runWithClosedReader(argv: string[], stream: 'stdout' | 'stderr'): Promise<{ code: number | null; signal: string | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    child[stream].destroy();
    let other = '';
    child[stream === 'stdout' ? 'stderr' : 'stdout'].on('data', (d: Buffer) => (other += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, other }));
  });
}

describe('a closed pipe', () => {
  it.each([[['--help']], [['help', 'cell', 'list']], [['cell', 'list', '--help']], [['--version']]])('cellctl %j with stdout closed early: 141, nothing on stderr', async (argv) => {
    for (let i = 0; i < RUNS; i++) {
      const result = await runWithClosedReader(argv, 'stdout');
      expect(result).toEqual({ code: EXIT_CLOSED_PIPE, signal: null, other: '' });
    }
  });

  it('with stderr closed early: 141 instead of the error, nothing on stdout', async () => {
    for (let i = 0; i < RUNS; i++) {
      const result = await runWithClosedReader(['--api-db', 'sqlite:////nonexistent-dir/api.sqlite', 'cell', 'list'], 'stderr');
      expect(result).toEqual({ code: EXIT_CLOSED_PIPE, signal: null, other: '' });
    }
  });

  it('does not hide what a run with open streams returns (so the checks above can fail)', () => {
    const result = spawnSync(process.execPath, [BIN, '--api-db', 'sqlite:////nonexistent-dir/api.sqlite', 'cell', 'list'], { env: ENV, encoding: 'utf8' });
    expect(result.status).toBe(255);
    expect(result.stderr).toMatch(/^cellctl: error: API database sqlite:\/\/\/\/nonexistent-dir\/api.sqlite does not exist yet/m);
  });
});

describeEachDialect('a listing into a pipe closed after one byte', (env) => {
  let api: string;

  beforeAll(async () => {
    api = env.newUrl('api');
    await createNovaDatabase(api, 'api', env.dir);
    const dbs = createDatabaseContext({ apiDatabaseConnection: api, cwd: env.dir });
    try {
      const { db } = await dbs.api();
      // Far more than a pipe's buffer (64 KiB): cellctl is still writing when head has gone.
      for (let i = 0; i < 1500; i++) await insertCellMapping(db, { name: `cell-${i}`, databaseConnection: `sqlite:////var/lib/nova/cell-${i}-with-a-long-path.sqlite`, transportUrl: `rabbit://nova:secret@rabbit-${i}.example.org:5672/` });
    } finally {
      await dbs.close();
    }
  });

  it.each([['table'], ['json']])('cell list -f %s | head -c1: 141, nothing on stderr', (format) => {
    for (let i = 0; i < RUNS; i++) {
      const errFile = join(env.dir, `stderr-${format}-${i}`);
      // bash reports the status of the first command of the pipeline, not head's. (-q: no notice
      // that the embedded deployment's configuration is in use, which would reach stderr first.)
      const result = spawnSync('bash', ['-c', 'node "$0" "$@" 2>"$ERR" | head -c1; echo " ${PIPESTATUS[0]}"', BIN, '-q', '--api-db', api, '-f', format, 'cell', 'list'], {
        env: { ...ENV, ERR: errFile },
        cwd: env.dir,
        encoding: 'utf8',
      });
      expect(result.stdout).toBe(`${format === 'json' ? '[' : '+'} ${EXIT_CLOSED_PIPE}\n`);
      expect(readFileSync(errFile, 'utf8')).toBe('');
    }
  });
});
