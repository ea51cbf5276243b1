import { errorOf, valueOf } from '../support/outcomes';
import { NOVA_API_REVISION, NOVA_CELL_REVISION } from '../../src/domain/constants';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { apiSchemaTarget, cellSchemaTargets, inspectSchemas, syncSchemas } from '../../src/services/schema.service';
import { describeEachDialect } from '../support/dialect-matrix';
import { copyDatabase, describeWithNova, novaMadeDatabases } from '../support/nova-oracle';
import { dumpSchema } from '../support/schema-dump';

describeWithNova()("cellctl's schema beside Nova's own", () => {
  describeEachDialect('parity', (env) => {
    it("creates exactly the schema Nova's api_db sync and db sync create", async () => {
      const nova = await novaMadeDatabases(env.dialect);
      const ours = { api: env.newUrl('api'), cell: env.newUrl('cell') };
      const dbs = createDatabaseContext({ apiDatabaseConnection: ours.api, databaseConnection: ours.cell, cwd: env.dir });
      try {
        await syncSchemas(dbs, [apiSchemaTarget(dbs), ...(await cellSchemaTargets(dbs, {}))], {});
      } finally {
        await dbs.close();
      }
      // Compared table by table so that a failure names the table that differs.
      for (const kind of ['api', 'cell'] as const) {
        const [theirs, mine] = await Promise.all([dumpSchema(nova[kind]), dumpSchema(ours[kind])]);
        expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
        for (const table of Object.keys(theirs)) {
          expect({ table, schema: mine[table] }).toEqual({ table, schema: theirs[table] });
        }
      }
    });

    it('changes nothing in databases Nova created and reports their revisions', async () => {
      const nova = await novaMadeDatabases(env.dialect);
      const copy = { api: env.newUrl('nova_api'), cell: env.newUrl('nova_cell') };
      await copyDatabase(nova.api, copy.api);
      await copyDatabase(nova.cell, copy.cell);
      const before = { api: await dumpSchema(copy.api), cell: await dumpSchema(copy.cell) };
      const dbs = createDatabaseContext({ apiDatabaseConnection: copy.api, databaseConnection: copy.cell, cwd: env.dir });
      try {
        const targets = [apiSchemaTarget(dbs), ...(await cellSchemaTargets(dbs, {}))];
        const synced = await syncSchemas(dbs, targets, {});
        expect(synced.map((o) => valueOf(o))).toEqual([
          { action: 'unchanged', revision: NOVA_API_REVISION, tableCount: 32 },
          { action: 'unchanged', revision: NOVA_CELL_REVISION, tableCount: 110 },
        ]);
        const versions = await inspectSchemas(dbs, targets);
        expect(versions.map((o) => [valueOf(o)?.status, valueOf(o)?.revision])).toEqual([
          ['current', NOVA_API_REVISION],
          ['current', NOVA_CELL_REVISION],
        ]);
      } finally {
        await dbs.close();
      }
      expect(await dumpSchema(copy.api)).toEqual(before.api);
      expect(await dumpSchema(copy.cell)).toEqual(before.cell);
    });
  });
});
