/**
 * Facts about the test machine, probed once per run by global-setup.ts and handed to the test
 * workers through environment variables.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NOVA_PYTHON = '/usr/bin/python3';

/** The MySQL server tests use (root with an empty password on the development machines). */
export function testMysqlBaseUrl(): string {
  return process.env.CELLCTL_TEST_MYSQL_URL ?? 'mysql+pymysql://root@127.0.0.1:3306/';
}

export function mysqlAvailable(): boolean {
  return process.env.CELLCTL_TEST_MYSQL_AVAILABLE === '1';
}

export function novaAvailable(): boolean {
  return process.env.CELLCTL_TEST_NOVA_AVAILABLE === '1';
}

/** A short id unique to this jest run, shared by all workers (prefix of every test database). */
export function runId(): string {
  const id = process.env.CELLCTL_TEST_RUN_ID;
  if (!id) throw new Error('CELLCTL_TEST_RUN_ID is unset: run the tests through jest (global-setup.ts)');
  return id;
}

/** A directory private to this run, removed by global-teardown.ts. */
export function runDir(): string {
  return join(tmpdir(), `cellctl-test-${runId()}`);
}

/** Whether Nova's python package can be imported by the system interpreter. */
export function probeNova(): { ok: boolean; reason: string } {
  const r = spawnSync(NOVA_PYTHON, ['-c', 'import nova.cmd.manage, pymysql'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, reason: r.error.message };
  if (r.status !== 0) return { ok: false, reason: (r.stderr.trim().split('\n').pop() ?? '').slice(0, 200) };
  return { ok: true, reason: '' };
}
