/**
 * No password appears in any output, error or log line unless --show-secrets is given: every
 * cell, cell0, host and schema command of the suite runs with URLs carrying a known password,
 * in every output format and with --debug, and all of its output is searched for it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDialect } from '../support/dialect-matrix';
import { runCli, type CliResult } from '../support/cli-runner';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { insertComputeNode } from '../support/cell-fixtures';

const SECRET = 'Kn0wnS3cretPw';

describeEachDialect('secrets', (env) => {
  it('never prints a password unless --show-secrets is given', async () => {
    const api = env.newUrl('api');
    const local = env.newUrl('nova');
    const conf = join(env.dir, 'secrets.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:${SECRET}@mq1:5672/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
    const runs: Array<{ argv: string[]; result: CliResult }> = [];
    const cli = async (...argv: string[]): Promise<CliResult> => {
      const result = await runCli(['--config-file', conf, ...argv], { cwd: env.dir });
      runs.push({ argv, result });
      return result;
    };
    // A cell whose database URL carries the password and cannot be reached: errors must mask it.
    const unreachable = `mysql+pymysql://nova:${SECRET}@127.0.0.1:1/nova_x?charset=utf8`;

    await cli('api-db', 'sync');
    await cli('db', 'sync');
    await cli('--debug', 'cell0', 'setup');
    await cli('--debug', 'cell', 'create', '--name', 'cell1');
    await cli('cell', 'create', '--name', 'cell1', '--transport-url', `rabbit://nova:${SECRET}@mq2:5672/`);
    await cli('cell', 'create', '--name', 'broken', '--database-connection', unreachable, '--transport-url', `rabbit://nova:${SECRET}@mq3:5672/`);
    await cli('cell', 'create', '--name', 'bad', '--database-connection', `mysql+pymysql://nova:${SECRET}@db:notaport/x`);
    await cli('cell', 'create', '--name', 'bad2', '--transport-url', `mq:${SECRET}@nohost`);
    await cli('-f', 'json', 'cell', 'ensure', '--name', 'cell1', '--transport-url', `rabbit://nova:${SECRET}x@mq1:5672/`);
    await cli('cell', 'ensure', '--name', 'cell1');
    await cli('--debug', 'cell', 'update', 'cell1', '--transport-url', `rabbit://nova:${SECRET}@mq1:5672/`, '--dry-run');
    await cli('cell', 'update', 'broken', '--database-connection', local);
    for (const format of ['table', 'json', 'yaml', 'value', 'csv']) {
      await cli('-f', format, 'cell', 'list');
      await cli('-f', format, 'cell', 'show', 'cell1');
      await cli('-f', format, 'host', 'list');
      await cli('-f', format, 'db', 'version', '--all-cells');
    }
    const dbs = createDatabaseContext({ databaseConnection: local, cwd: env.dir });
    await insertComputeNode((await dbs.localCell()).db, { host: 'compute1' });
    await dbs.close();
    await cli('--debug', 'host', 'discover');
    await cli('host', 'discover', '--cell', 'broken');
    await cli('--debug', 'db', 'sync', '--all-cells');
    await cli('db', 'version', '--cell', 'broken');
    await cli('host', 'delete', '--cell', 'cell1', '--host', 'compute1', '--dry-run');
    await cli('cell', 'delete', 'broken', '--dry-run');
    await cli('--debug', 'simple-cell-setup');
    await cli('simple-cell-setup', '--transport-url', `rabbit://nova:${SECRET}@mq9:5672/`);
    await cli('--debug', 'api-db', 'version');

    // The runs did exercise errors and notices, and a password was there to leak.
    expect(runs.some(({ result }) => result.code === 255)).toBe(true);
    expect(runs.some(({ result }) => /\*\*\*\*/.test(result.stdout + result.stderr))).toBe(true);
    const leaks = runs.filter(({ result }) => (result.stdout + result.stderr).includes(SECRET)).map(({ argv }) => argv.join(' '));
    expect(leaks).toEqual([]);

    // ... and --show-secrets does show it, so the search above can fail.
    const shown = await runCli(['--config-file', conf, '--show-secrets', '-f', 'json', 'cell', 'list'], { cwd: env.dir });
    expect(shown.stdout).toContain(SECRET);
  });
});
