/** map-instances beside Nova's own map_instances and verify_instance, on both dialects. */
import { join } from 'node:path';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { insertInstances } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';
import { runCli } from '../support/cli-runner';
import { describeWithNova, novaManage, writeNovaConf } from '../support/nova-oracle';

describeWithNova()('map-instances with Nova', () => {
  describeEachDialect('interop', (env) => {
    it("completes a cell Nova's map_instances --max-count left half done; Nova then verifies and finds nothing to add", async () => {
      const api = env.newUrl('api');
      const local = env.newUrl('nova');
      const conf = writeNovaConf(join(env.dir, 'map'), { api, db: local });
      const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
      expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
      expect((await cli('-q', 'simple-cell-setup')).code).toBe(0);
      const dbs = createDatabaseContext({ apiDatabaseConnection: api, databaseConnection: local, cwd: env.dir });
      try {
        const uuids = await insertInstances((await dbs.localCell()).db, 30, { deletedEvery: 6, hiddenEvery: 10 });
        const cellUuid = (await (await dbs.api()).db.selectFrom('cell_mappings').select('uuid').where('name', '=', 'cell1').executeTakeFirstOrThrow()).uuid;
        const count = async (): Promise<number> =>
          Number((await (await dbs.api()).db.selectFrom('instance_mappings').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '!=', 'INSTANCE_MIGRATION_MARKER').executeTakeFirstOrThrow()).n);

        const partial = novaManage(conf, ['cell_v2', 'map_instances', '--cell_uuid', cellUuid, '--max-count', '10']);
        expect(partial.status).toBe(1);
        expect(await count()).toBe(10);

        const ours = await cli('-f', 'json', 'map-instances', '--cell', 'cell1');
        expect(ours.code).toBe(0);
        expect(ours.stderr).toMatch(/found 1 resume marker row/);
        expect(JSON.parse(ours.stdout)[0]).toMatchObject({ found: 17, mapped: 17, remaining: 0 });
        expect(await count()).toBe(27);

        const verify = novaManage(conf, ['cell_v2', 'verify_instance', '--uuid', uuids[0]]);
        expect(verify.status).toBe(0);
        expect(verify.stdout).toContain(`is in cell: cell1 (${cellUuid})`);

        const again = novaManage(conf, ['cell_v2', 'map_instances', '--cell_uuid', cellUuid]);
        expect(again.status).toBe(0);
        expect(await count()).toBe(27);
      } finally {
        await dbs.close();
      }
    });
  });
});
