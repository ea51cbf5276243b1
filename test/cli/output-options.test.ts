/**
 * The OpenStack client's output options on the modern front: --fit-width (and CLIFF_FIT_WIDTH),
 * --max-width (and CLIFF_MAX_TERM_WIDTH), fitting on a terminal, --sort-column with
 * --sort-ascending/--sort-descending, --noindent, --quote, --print-empty, and their bad values.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import { CELL0_UUID } from '../../src/domain/constants';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { clearApiMappings, createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { runCli, type CliRunOptions } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';

const CELL_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const CELL_B = 'bbbbbbbb-0000-4000-8000-000000000002';

/** A cell URL wider than any column at 80: the password masked, the rest intact. */
const dbUrl = (n: number): string => `mysql+pymysql://nova:secret${n}@db-controller-0${n}.example.org:3306/nova_cell${n}?charset=utf8`;
const shownDbUrl = (n: number): string => dbUrl(n).replace(`secret${n}`, '****');

/** The text of each column of a table, wrapped lines joined, spaces dropped, row by row. */
function cellTexts(table: string): string[][] {
  const lines = table.trimEnd().split('\n');
  const rules = lines.flatMap((line, i) => (line.startsWith('+') ? [i] : []));
  const rows: string[][] = [];
  for (const line of lines.slice(rules[1] + 1, rules[2])) {
    const parts = line.split('|').slice(1, -1).map((p) => p.replace(/\s/g, ''));
    if (parts[0] !== '' || rows.length === 0) rows.push(parts);
    else rows[rows.length - 1] = rows[rows.length - 1].map((text, i) => text + parts[i]);
  }
  return rows;
}

const widest = (text: string): number => Math.max(...text.split('\n').map((line) => line.length));

describeEachDialect('output options', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  const cli = (argv: string[], options: CliRunOptions = {}) => runCli(['--config-file', conf, ...argv], { cwd: env.dir, ...options });

  beforeAll(async () => {
    const apiUrl = env.newUrl('api');
    await createNovaDatabase(apiUrl, 'api');
    conf = join(env.dir, 'output.conf');
    writeFileSync(conf, `[api_database]\nconnection = ${apiUrl}\n[database]\nconnection = ${env.newUrl('unused')}\n`);
    dbs = createDatabaseContext({ apiDatabaseConnection: apiUrl, cwd: env.dir });
    api = (await dbs.api()).db;
    await clearApiMappings(api);
    await insertCellMapping(api, { name: 'cell0', uuid: CELL0_UUID, databaseConnection: 'sqlite:////var/lib/nova/nova_cell0.sqlite' });
    await insertCellMapping(api, { name: 'zeta', uuid: CELL_A, databaseConnection: dbUrl(1), transportUrl: 'rabbit://openstack:pw1@rabbit-01.example.org:5672/zeta' });
    await insertCellMapping(api, { name: 'alpha', uuid: CELL_B, databaseConnection: dbUrl(2), transportUrl: 'rabbit://openstack:pw2@rabbit-02.example.org:5672/alpha', disabled: true });
  });
  afterAll(() => dbs.close());

  describe('fitting tables', () => {
    it('leaves a table as wide as its content when stdout is no terminal and nothing asks to fit', async () => {
      const result = await cli(['cell', 'list'], { env: { COLUMNS: '80' } });
      expect(result.code).toBe(0);
      expect(widest(result.stdout)).toBeGreaterThan(120);
      expect(result.stdout).toContain(shownDbUrl(1));
    });

    it('--fit-width at 80 columns ($COLUMNS): no line longer than 80, URLs wrapped, nothing lost', async () => {
      const natural = await cli(['cell', 'list']);
      const fitted = await cli(['cell', 'list', '--fit-width'], { env: { COLUMNS: '80' } });
      expect(fitted.code).toBe(0);
      expect(fitted.stderr).toBe('');
      expect(widest(fitted.stdout)).toBeLessThanOrEqual(80);
      expect(fitted.stdout).not.toContain(shownDbUrl(1));
      expect(fitted.stdout).not.toContain('secret');
      expect(fitted.stdout).not.toContain('…');
      expect(cellTexts(fitted.stdout)).toEqual(cellTexts(natural.stdout));
      expect(cellTexts(fitted.stdout).map((row) => row[3])).toEqual([shownDbUrl(2), 'sqlite:////var/lib/nova/nova_cell0.sqlite', shownDbUrl(1)]);
    });

    it('CLIFF_FIT_WIDTH=1 fits as --fit-width does; a terminal fits to its own width', async () => {
      const flag = await cli(['cell', 'list', '--fit-width'], { env: { COLUMNS: '80' } });
      const variable = await cli(['cell', 'list'], { env: { COLUMNS: '80', CLIFF_FIT_WIDTH: '1' } });
      expect(variable.stdout).toBe(flag.stdout);
      const terminal = await cli(['cell', 'list'], { stdoutTerminalColumns: 80, env: { COLUMNS: '200' } });
      expect(terminal.stdout).toBe(flag.stdout);
      expect(widest((await cli(['cell', 'show', 'zeta'], { stdoutTerminalColumns: 60 })).stdout)).toBeLessThanOrEqual(60);
    });

    it('--max-width N (or CLIFF_MAX_TERM_WIDTH) fits to N wherever stdout goes; the flag wins, 0 is no limit', async () => {
      const at100 = await cli(['cell', 'list', '--max-width', '100']);
      expect(at100.code).toBe(0);
      expect(widest(at100.stdout)).toBeLessThanOrEqual(100);
      expect(widest(at100.stdout)).toBeGreaterThan(80);
      expect((await cli(['cell', 'list'], { env: { CLIFF_MAX_TERM_WIDTH: '100' } })).stdout).toBe(at100.stdout);
      expect((await cli(['cell', 'list', '--max-width', '100'], { env: { CLIFF_MAX_TERM_WIDTH: '70' } })).stdout).toBe(at100.stdout);
      const unlimited = await cli(['cell', 'list', '--max-width', '0'], { env: { CLIFF_MAX_TERM_WIDTH: '70' } });
      expect(widest(unlimited.stdout)).toBeGreaterThan(120);
      expect(unlimited.stdout).toBe((await cli(['cell', 'list'])).stdout);
    });

    it('does not touch the other formats', async () => {
      const json = await cli(['cell', 'list', '-f', 'json', '--max-width', '40']);
      expect(JSON.parse(json.stdout).map((c: { database_connection: string }) => c.database_connection)).toContain(shownDbUrl(1));
    });
  });

  describe('sorting', () => {
    it('sorts by a column, ascending by default, descending when asked, the first column given first', async () => {
      const names = async (...flags: string[]) => (await cli(['cell', 'list', '-f', 'value', '-c', 'name', ...flags])).stdout.trim().split('\n');
      // cell list's own order is by name.
      expect(await names()).toEqual(['alpha', 'cell0', 'zeta']);
      expect(await names('--sort-column', 'uuid')).toEqual(['cell0', 'zeta', 'alpha']);
      expect(await names('--sort-column', 'UUID', '--sort-ascending')).toEqual(['cell0', 'zeta', 'alpha']);
      expect(await names('--sort-column', 'uuid', '--sort-descending')).toEqual(['alpha', 'zeta', 'cell0']);
      expect(await names('--sort-column', 'name', '--sort-descending')).toEqual(['zeta', 'cell0', 'alpha']);
      expect(await names('--sort-column', 'disabled', '--sort-column', 'uuid', '--sort-descending')).toEqual(['alpha', 'zeta', 'cell0']);
      expect(await names('--sort-column', 'disabled', '--sort-column', 'uuid')).toEqual(['cell0', 'zeta', 'alpha']);
    });

    it('refuses an unknown column and both directions (127, one line)', async () => {
      const unknown = await cli(['cell', 'list', '--sort-column', 'zone']);
      expect(unknown.code).toBe(127);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toBe("cellctl: error: unknown --sort-column 'zone': valid columns are name, uuid, transport_url, database_connection, disabled\n");
      const both = await cli(['cell', 'list', '--sort-ascending', '--sort-descending']);
      expect(both.code).toBe(127);
      expect(both.stdout).toBe('');
      expect(both.stderr.trim().split('\n')).toHaveLength(1);
      expect(both.stderr).toMatch(/--sort-ascending.*--sort-descending/);
    });
  });

  describe('JSON, CSV and empty listings', () => {
    it('--noindent prints the same JSON on one line', async () => {
      const indented = await cli(['cell', 'list', '-f', 'json']);
      const flat = await cli(['cell', 'list', '-f', 'json', '--noindent']);
      expect(flat.code).toBe(0);
      expect(flat.stdout.split('\n')).toEqual([expect.any(String), '']);
      expect(JSON.parse(flat.stdout)).toEqual(JSON.parse(indented.stdout));
      expect(indented.stdout.split('\n').length).toBeGreaterThan(10);
    });

    it('--quote all|minimal|none|nonnumeric', async () => {
      const csv = async (mode?: string) => (await cli(['cell', 'list', '-f', 'csv', '-c', 'name', '-c', 'disabled', '--sort-column', 'name', ...(mode ? ['--quote', mode] : [])])).stdout;
      expect(await csv()).toBe('"name","disabled"\n"alpha",True\n"cell0",False\n"zeta",False\n');
      expect(await csv('nonnumeric')).toBe(await csv());
      expect(await csv('all')).toBe('"name","disabled"\n"alpha","True"\n"cell0","False"\n"zeta","False"\n');
      expect(await csv('minimal')).toBe('name,disabled\nalpha,True\ncell0,False\nzeta,False\n');
      expect(await csv('none')).toBe('name,disabled\nalpha,True\ncell0,False\nzeta,False\n');
      const bad = await cli(['cell', 'list', '-f', 'csv', '--quote', 'some']);
      expect(bad.code).toBe(127);
      expect(bad.stdout).toBe('');
    });

    it('an empty listing prints nothing in table format unless --print-empty', async () => {
      const empty = await cli(['host', 'list']);
      expect(empty.code).toBe(0);
      expect(empty.stdout).toBe('');
      const printed = await cli(['host', 'list', '--print-empty']);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(
        ['+-----------+-----------+------+', '| Cell Name | Cell UUID | Host |', '+-----------+-----------+------+', '+-----------+-----------+------+', ''].join('\n'),
      );
      expect((await cli(['host', 'list', '-f', 'json'])).stdout).toBe('[]\n');
    });
  });

  describe('bad values', () => {
    it.each([
      [['--max-width', 'wide'], {}, /--max-width must be an integer/],
      [['--max-width', '1.5'], {}, /--max-width must be an integer/],
      [[], { CLIFF_FIT_WIDTH: 'yes' }, /CLIFF_FIT_WIDTH must be an integer/],
      [[], { CLIFF_MAX_TERM_WIDTH: 'eighty' }, /CLIFF_MAX_TERM_WIDTH must be an integer/],
    ])('%j %j: 127, one line', async (flags, variables, message) => {
      const result = await cli(['cell', 'list', ...flags], { env: variables });
      expect(result.code).toBe(127);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    });
  });
});
