import { rmSync } from 'node:fs';
import { dropDatabases } from './mysql-admin';
import { mysqlAvailable, runDir, runId } from './test-environment';

/** Removes what the run left behind: its temp directory and its MySQL databases. */
export default async function globalTeardown(): Promise<void> {
  rmSync(runDir(), { recursive: true, force: true });
  if (mysqlAvailable()) await dropDatabases(`ct${runId()}`);
}
