import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { maskUrl } from '../../src/domain/url-masking';
import { withAdmin } from './mysql-admin';
import { probeNova, runDir, testMysqlBaseUrl } from './test-environment';

/**
 * Probes MySQL and Nova once per run. An absent one is reported in one visible line and its
 * tests skip, unless CELLCTL_REQUIRE_MYSQL=1 / CELLCTL_REQUIRE_NOVA=1 make the absence a failure.
 */
export default async function globalSetup(): Promise<void> {
  process.env.CELLCTL_TEST_RUN_ID = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  mkdirSync(runDir(), { recursive: true });

  try {
    await withAdmin((c) => c.query('SELECT 1'));
    process.env.CELLCTL_TEST_MYSQL_AVAILABLE = '1';
  } catch (error) {
    const line = `MySQL at ${maskUrl(testMysqlBaseUrl())} is unreachable (${(error as Error).message})`;
    if (process.env.CELLCTL_REQUIRE_MYSQL === '1') throw new Error(`${line} and CELLCTL_REQUIRE_MYSQL=1`);
    process.stderr.write(`\n[cellctl tests] ${line}: MySQL tests are SKIPPED\n`);
    process.env.CELLCTL_TEST_MYSQL_AVAILABLE = '0';
  }

  const nova = probeNova();
  if (nova.ok) process.env.CELLCTL_TEST_NOVA_AVAILABLE = '1';
  else {
    const line = `Nova (python3-nova) is not importable by /usr/bin/python3 (${nova.reason})`;
    if (process.env.CELLCTL_REQUIRE_NOVA === '1') throw new Error(`${line} and CELLCTL_REQUIRE_NOVA=1`);
    process.stderr.write(`[cellctl tests] ${line}: tests against Nova's own commands are SKIPPED\n`);
    process.env.CELLCTL_TEST_NOVA_AVAILABLE = '0';
  }
}
