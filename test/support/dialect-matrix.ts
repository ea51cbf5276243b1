/**
 * The dialect matrix: every integration and CLI test file runs its tests over real SQLite and
 * real MariaDB. Each file gets its own databases (fresh names per call) and drops them afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dropDatabases, mysqlUrlFor } from './mysql-admin';
import { mysqlAvailable, runDir, runId } from './test-environment';

export type TestDialect = 'sqlite' | 'mysql';
export const TEST_DIALECTS: TestDialect[] = ['sqlite', 'mysql'];

/** Hands out database URLs of one dialect for one test file. */
export interface TestDatabases {
  dialect: TestDialect;
  /** A URL naming a database that does not exist yet (unique within the run). */
  newUrl(label: string): string;
  /** A scratch directory for config files and the like. */
  dir: string;
}

let fileCounter = 0;

/** Runs `body` once per dialect inside `describe(<title> [<dialect>])`; MySQL skips when absent. */
export function describeEachDialect(title: string, body: (dbs: TestDatabases) => void): void {
  for (const dialect of TEST_DIALECTS) {
    const run = dialect === 'mysql' && !mysqlAvailable() ? describe.skip : describe;
    run(`${title} [${dialect}]`, () => {
      const fileId = `${process.pid.toString(36)}${(fileCounter++).toString(36)}`;
      const prefix = `ct${runId()}_${fileId}_`;
      let counter = 0;
      const dir = mkdtempSync(join(runDir(), `${dialect}-`));
      const dbs: TestDatabases = {
        dialect,
        dir,
        newUrl(label) {
          const name = `${prefix}${(counter++).toString(36)}_${label}`.replace(/[^a-zA-Z0-9_]/g, '_');
          return dialect === 'sqlite' ? `sqlite:///${join(dir, `${name}.sqlite`)}` : `${mysqlUrlFor(name)}?charset=utf8`;
        },
      };
      afterAll(async () => {
        rmSync(dir, { recursive: true, force: true });
        if (dialect === 'mysql') await dropDatabases(prefix);
      });
      body(dbs);
    });
  }
}
