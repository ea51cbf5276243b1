/**
 * Cells cellctl creates are read by Nova's own nova-manage, and cells Nova creates or changes
 * are read by cellctl, on both dialects.
 */
import { join } from 'node:path';
import { CELL0_UUID } from '../../src/domain/constants';
import { describeEachDialect } from '../support/dialect-matrix';
import { runCli } from '../support/cli-runner';
import { describeWithNova, novaManageOk, writeNovaConf } from '../support/nova-oracle';

/** Parses Nova's list_cells table: one object per row, cells trimmed. */
function parseNovaTable(stdout: string): Array<Record<string, string>> {
  const lines = stdout.split('\n').filter((l) => l.startsWith('|'));
  const split = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim());
  const [header, ...rows] = lines.map(split);
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

describeWithNova()('cells with Nova', () => {
  describeEachDialect('interop', (env) => {
    it("Nova lists cellctl's cells; cellctl lists, updates and deletes Nova's", async () => {
      const api = env.newUrl('api');
      const local = env.newUrl('nova');
      const conf = writeNovaConf(join(env.dir, 'interop'), { api, db: local, transport: 'rabbit://nova:mqpw@mq1:5672/' });
      const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });

      expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
      expect((await cli('-q', 'cell0', 'setup')).code).toBe(0);
      const cell1 = (await cli('-q', 'cell', 'create', '--name', 'cell1')).stdout.trim();
      const cell2 = (await cli('-q', 'cell', 'ensure', '--name', 'cell2', '--database-connection', env.newUrl('c2'), '--transport-url', 'rabbit://nova:mqpw@mq2:5672/', '--disabled')).stdout.trim();

      const nova = parseNovaTable(novaManageOk(conf, ['cell_v2', 'list_cells', '--verbose']).stdout);
      expect(nova.map((r) => [r.Name, r.UUID, r.Disabled])).toEqual([
        ['cell0', CELL0_UUID, 'False'],
        ['cell1', cell1, 'False'],
        ['cell2', cell2, 'True'],
      ]);
      expect(nova.find((r) => r.Name === 'cell1')).toMatchObject({ 'Transport URL': 'rabbit://nova:mqpw@mq1:5672/', 'Database Connection': local });

      // Nova creates a cell and renames one of ours; cellctl reads both.
      const novaCreated = novaManageOk(conf, ['cell_v2', 'create_cell', '--name', 'novacell', '--database_connection', env.newUrl('nc'), '--transport-url', 'rabbit://nova:mqpw@mq3:5672/', '--verbose']);
      const novaUuid = novaCreated.stdout.trim().split('\n').pop();
      novaManageOk(conf, ['cell_v2', 'update_cell', '--cell_uuid', cell2, '--name', 'renamed', '--transport-url', 'rabbit://nova:mqpw@mq2:5672/', '--database_connection', env.newUrl('c2')]);
      const listed = JSON.parse((await cli('-f', 'json', 'cell', 'list')).stdout) as Array<{ name: string; uuid: string; disabled: boolean }>;
      expect(listed.map((c) => [c.name, c.uuid, c.disabled])).toEqual([
        ['cell0', CELL0_UUID, false],
        ['cell1', cell1, false],
        ['novacell', novaUuid, false],
        ['renamed', cell2, true],
      ]);

      // cellctl deletes Nova's cell; Nova no longer lists it.
      expect((await cli('cell', 'delete', 'novacell')).code).toBe(0);
      const after = parseNovaTable(novaManageOk(conf, ['cell_v2', 'list_cells']).stdout);
      expect(after.map((r) => r.Name)).toEqual(['cell0', 'cell1', 'renamed']);
    });
  });
});
