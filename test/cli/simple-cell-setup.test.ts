import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CELL0_UUID } from '../../src/domain/constants';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertComputeNode } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';
import { runCli } from '../support/cli-runner';

describeEachDialect('simple-cell-setup', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let local: string;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });

  beforeEach(() => {
    const api = env.newUrl('api');
    local = env.newUrl('nova');
    conf = join(env.dir, `nova-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
    dbs = createDatabaseContext({ apiDatabaseConnection: api, databaseConnection: local, cwd: env.dir });
  });
  afterEach(() => dbs.close());

  const cells = async () => (await dbs.api()).db.selectFrom('cell_mappings').select(['uuid', 'name', 'database_connection']).orderBy('id').execute();

  it('sets up cell0 and cell1 on a fresh install with no compute hosts, and says so', async () => {
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    const result = await cli('-f', 'json', 'simple-cell-setup');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no new compute hosts to map/);
    const rows = await cells();
    expect(rows).toEqual([
      expect.objectContaining({ uuid: CELL0_UUID, name: 'cell0' }),
      expect.objectContaining({ name: 'cell1', database_connection: local }),
    ]);
    expect(JSON.parse(result.stdout).map((r: { name: string }) => r.name)).toEqual(['cell0', 'cell1']);
    const versions = await cli('-f', 'json', 'db', 'version', '--all-cells');
    expect(JSON.parse(versions.stdout).map((r: { status: string }) => r.status)).toEqual(['current', 'current']);
  });

  it('is idempotent and maps the compute hosts it finds', async () => {
    await cli('-q', 'api-db', 'sync');
    await cli('-q', 'simple-cell-setup');
    await insertComputeNode((await dbs.localCell()).db, { host: 'compute1' });
    const again = await cli('simple-cell-setup');
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^Cell0 is already setup$/m);
    expect(again.stderr).toMatch(/already maps \[database\]/);
    expect(again.stderr).toMatch(/hosts mapped: compute1/);
    expect(await cells()).toHaveLength(2);
    const hosts = await cli('-f', 'value', '-c', 'host', '-c', 'cell_name', 'host', 'list');
    expect(hosts.stdout).toBe('compute1 cell1\n');
  });

  it('refuses whole, writing nothing: 2 when another cell holds the name cell1, 3 when [database] holds another schema', async () => {
    await cli('-q', 'api-db', 'sync');
    await cli('-q', 'cell', 'create', '--name', 'cell1', '--database-connection', env.newUrl('elsewhere'), '--transport-url', 'rabbit://o@mq9/');
    const taken = await cli('simple-cell-setup');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/a cell named 'cell1' already exists/);
    expect((await cells()).map((c) => c.name)).toEqual(['cell1']);
    await cli('-q', 'cell', 'delete', 'cell1');
    const foreign = createDatabaseContext({ databaseConnection: local, cwd: env.dir });
    await (await foreign.localCell({ create: true })).db.schema.createTable('not_nova').addColumn('id', 'integer').execute();
    await foreign.close();
    expect((await cli('simple-cell-setup')).code).toBe(3);
    expect(await cells()).toEqual([]);
  });

  it('accepts a template transport URL, rendered against [DEFAULT] transport_url as Nova does', async () => {
    await cli('-q', 'api-db', 'sync');
    const result = await cli('simple-cell-setup', '--transport-url', '{scheme}://{username}:{password}@{hostname}/');
    expect(result.code).toBe(0);
    expect((await cells()).map((c) => c.name)).toEqual(['cell0', 'cell1']);
  });

  it('exits 1 for an invalid transport URL and writes nothing; --dry-run writes nothing', async () => {
    await cli('-q', 'api-db', 'sync');
    expect((await cli('simple-cell-setup', '--transport-url', 'noscheme')).code).toBe(1);
    const dry = await cli('simple-cell-setup', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/cell cell1 would be created/);
    expect(await cells()).toEqual([]);
  });
});
