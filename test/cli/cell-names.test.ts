/**
 * Cell names: one comparison for the duplicate check and for lookups on both dialects (MySQL's
 * utf8mb3_general_ci, the collation of Nova's databases), with an exact name always addressing
 * its own cell; names and URLs that cannot be stored, or that would print as something else,
 * refused as invalid input before anything is written.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellNameKey } from '../../src/domain/cell';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertCellMapping } from '../support/cell-fixtures';
import { runCli, type CliResult } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { withAdmin } from '../support/mysql-admin';
import { dumpRows } from '../support/row-dump';

describeEachDialect('cell names', (env) => {
  let api: string;
  let conf: string;
  let dbs: DatabaseContext;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const dump = async () => dumpRows(await dbs.api());
  const cellTransportUrls = async () => (await (await dbs.api()).db.selectFrom('cell_mappings').select('transport_url').execute()).map((r) => r.transport_url);
  /** Runs a command that must be refused and checks that it wrote nothing. */
  const refused = async (...argv: string[]): Promise<CliResult> => {
    const before = await dump();
    const result = await cli(...argv);
    expect(await dump()).toEqual(before);
    return result;
  };
  let n = 0;
  /** Fresh URLs for one more cell. */
  const urls = () => {
    n += 1;
    return ['--database-connection', env.newUrl(`c${n}`), '--transport-url', `rabbit://nova:pw@mq/${n}`];
  };

  beforeEach(async () => {
    api = env.newUrl('api');
    conf = join(env.dir, `names-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${env.newUrl('nova')}\n`);
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    dbs = createDatabaseContext({ apiDatabaseConnection: api, cwd: env.dir });
  });
  afterEach(() => dbs.close());

  describe('compared as utf8mb3_general_ci compares them', () => {
    it('refuses a name that equals an existing one but for case or trailing blanks (create, update), and ensure finds the existing cell', async () => {
      const cell1 = (await cli('cell', 'create', '--name', 'cell1', ...urls())).stdout.trim();
      for (const name of ['CELL1', 'cell1 ', 'Cell1  ']) {
        const result = await refused('cell', 'create', '--name', name, ...urls());
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('already exists');
        expect(result.stderr).toContain(cell1);
      }
      const ensured = await refused('cell', 'ensure', '--name', 'Cell1');
      expect(ensured.code).toBe(0);
      expect(ensured.stdout.trim()).toBe(cell1);
      expect(ensured.stderr).toMatch(/unchanged/);
      expect((await cli('-q', 'cell', 'create', '--name', 'cell2', ...urls())).code).toBe(0);
      const renamed = await refused('cell', 'update', 'cell2', '--name', 'CELL1');
      expect(renamed.code).toBe(3);
      expect(renamed.stderr).toContain(cell1);
      // A cell may change the case of its own name.
      expect((await cli('-q', 'cell', 'update', 'cell1', '--name', 'Cell1')).code).toBe(0);
      expect((await cli('-f', 'value', '-c', 'name', 'cell', 'show', cell1)).stdout).toBe('Cell1\n');
    });

    it('folds as the collation does beyond Latin (ϱ is ρ) and keeps apart what it does not fold (ƀ, Ƀ)', async () => {
      const rho = (await cli('cell', 'create', '--name', 'ρ-1', ...urls())).stdout.trim();
      const clash = await refused('cell', 'create', '--name', 'ϱ-1', ...urls());
      expect(clash.code).toBe(2);
      expect(clash.stderr).toContain(rho);
      expect((await cli('-f', 'value', '-c', 'uuid', 'cell', 'show', 'Ρ-1')).stdout).toBe(`${rho}\n`);
      expect((await cli('-q', 'cell', 'create', '--name', 'ƀ-1', ...urls())).code).toBe(0);
      expect((await cli('-q', 'cell', 'create', '--name', 'Ƀ-1', ...urls())).code).toBe(0);
    });

    it('looks a name up exactly first, then as the collation compares it', async () => {
      const cell1 = (await cli('cell', 'create', '--name', 'cell1', ...urls())).stdout.trim();
      for (const ref of ['cell1', 'CELL1', 'cell1 ']) {
        expect((await cli('-f', 'value', '-c', 'uuid', 'cell', 'show', ref)).stdout).toBe(`${cell1}\n`);
      }
    });

    it('keeps each of two cells that collide (made by Nova or an older cellctl) addressable by its exact name', async () => {
      const { db } = await dbs.api();
      const lower = await insertCellMapping(db, { name: 'cell1', databaseConnection: env.newUrl('l') });
      const upper = await insertCellMapping(db, { name: 'CELL1', databaseConnection: env.newUrl('u') });
      expect((await cli('-f', 'value', '-c', 'uuid', 'cell', 'show', 'cell1')).stdout).toBe(`${lower.uuid}\n`);
      expect((await cli('-f', 'value', '-c', 'uuid', 'cell', 'show', 'CELL1')).stdout).toBe(`${upper.uuid}\n`);
      const ambiguous = await cli('cell', 'show', 'Cell1');
      expect(ambiguous.code).toBe(127);
      expect(ambiguous.stderr).toContain(lower.uuid);
      expect(ambiguous.stderr).toContain(upper.uuid);
      expect((await cli('-q', 'cell', 'ensure', '--name', 'cell1', '--transport-url', 'rabbit://x@mq/l')).code).toBe(0);
      expect((await cli('-f', 'value', '-c', 'transport_url', '--show-secrets', 'cell', 'show', lower.uuid)).stdout).toBe('rabbit://x@mq/l\n');
    });

    if (env.dialect === 'mysql') {
      it("cellNameKey agrees with MariaDB's utf8mb3_general_ci on these names (test/integration/collation.test.ts: a wider sample)", async () => {
        const names = ['cell1', 'CELL1', 'cell1 ', 'cell1  ', ' cell1', 'cell1\t', 'Cèll1', 'CELL1', 'straße', 'STRASSE', 'strase', 'Ǆ', 'ǅ', 'ǆ', 'ÿ', 'Ÿ', 'ı', 'I', 'i', 'ǰ', 'Ω', 'ω', 'Ω', 'ß', 's', 'Æ', 'æ', 'Σ', 'ς', 'σ', 'région-1', 'REGION-1', 'Ёлка', 'елка', 'й', 'и', 'ſ', 'ŉ', 'ǈ', 'Ǉ', 'µ', 'Μ', 'ΐ', 'ι', 'ﬁ', 'FI', 'Ａ', 'ａ', 'ǅa', 'Ǆa', 'ϱ', 'ρ', 'Ρ', 'ς', 'ἀ', 'Α', 'ё', 'ƀ', 'Ƀ', ';', '\u037e'];
        const disagreements = await withAdmin(async (c) => {
          const found: string[] = [];
          for (const a of names) {
            for (const b of names) {
              const [rows] = await c.query('SELECT CONVERT(? USING utf8mb3) COLLATE utf8mb3_general_ci = CONVERT(? USING utf8mb3) COLLATE utf8mb3_general_ci AS same', [a, b]);
              const same = Number((rows as Array<{ same: number }>)[0].same) === 1;
              if (same !== (cellNameKey(a) === cellNameKey(b))) found.push(`${JSON.stringify(a)} ${same ? '=' : '≠'} ${JSON.stringify(b)}`);
            }
          }
          return found;
        });
        expect(disagreements).toEqual([]);
      });
    }
  });
  describe('blank and multi-line names', () => {
    it('refuses an empty, blank or control-character name on create, ensure and update: 127, one line, nothing written', async () => {
      expect((await cli('-q', 'cell', 'create', '--name', 'cell1', ...urls())).code).toBe(0);
      const bad = ['', '   ', 'a\nb', 'tab\there', 'cr\r', 'nul\u0000', 'line\u2028sep'];
      for (const name of bad) {
        for (const argv of [
          ['cell', 'create', '--name', name, ...urls()],
          ['cell', 'ensure', '--name', name, ...urls()],
          ['cell', 'update', 'cell1', '--name', name],
        ]) {
          const result = await refused(...argv);
          expect({ argv: argv.slice(0, 2), name, code: result.code }).toEqual({ argv: argv.slice(0, 2), name, code: 127 });
          expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
          expect(result.stderr).toMatch(/cell name .* (is empty|is blank|contains a (control character|line separator))/);
        }
      }
    });

    it('refuses a name of invisible characters only, or holding a bidirectional control: 127, one line, shown escaped', async () => {
      expect((await cli('-q', 'cell', 'create', '--name', 'cell1', ...urls())).code).toBe(0);
      const invisible = ['\u200b', ' \u200b\u200c\u200d ', '\ufeff', '\u2060', '\u180e', '\u00a0\u3000', '\u00ad'];
      const bidi = ['q\u202eevil', '\u202aa', 'b\u2066c\u2069', 'x\u200ey', 'x\u200fy'];
      for (const name of [...invisible, ...bidi]) {
        for (const argv of [
          ['cell', 'create', '--name', name, ...urls()],
          ['cell', 'ensure', '--name', name, ...urls()],
          ['cell', 'update', 'cell1', '--name', name],
        ]) {
          const result = await refused(...argv);
          expect({ argv: argv.slice(0, 2), name, code: result.code }).toEqual({ argv: argv.slice(0, 2), name, code: 127 });
          expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
          expect(result.stderr).toMatch(/cell name .* (is blank|contains a bidirectional control \(U\+[0-9A-F]{4}\))/);
          expect(result.stderr).not.toMatch(/[\p{Cf}\u2028\u2029]/u);
        }
      }
    });

    it("refuses a name that is a UUID (a lookup takes it as a cell's UUID first, cell0's included): 127, nothing written", async () => {
      const cell1 = (await cli('cell', 'create', '--name', 'cell1', ...urls())).stdout.trim();
      for (const name of ['00000000-0000-0000-0000-000000000000', cell1, cell1.toUpperCase(), 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee']) {
        for (const argv of [
          ['cell', 'create', '--name', name, ...urls()],
          ['cell', 'ensure', '--name', name, ...urls()],
          ['cell', 'update', 'cell1', '--name', name],
        ]) {
          const result = await refused(...argv);
          expect({ argv: argv.slice(0, 2), name, code: result.code }).toEqual({ argv: argv.slice(0, 2), name, code: 127 });
          expect(result.stderr).toMatch(/^cellctl: error: cell name "[-0-9a-fA-F]+" is a UUID: cells are looked up by UUID before name\n$/);
        }
      }
      for (const name of ['cell-00000000-0000-0000-0000-000000000000', '00000000000000000000000000000000']) expect((await cli('-q', 'cell', 'create', '--name', name, ...urls())).code).toBe(0);
    });

    it('keeps accepting inner blanks and other printable names', async () => {
      for (const name of ['cell one', 'région-1', 'a/b', 'zero\u200bwidth', 'no\u00a0break', 'עברית']) expect((await cli('-q', 'cell', 'create', '--name', name, ...urls())).code).toBe(0);
    });
  });
  describe("values Nova's columns cannot hold", () => {
    const long = (n: number, ch = 'x') => ch.repeat(n);

    it('refuses a name longer than cell_mappings.name (varchar(255): characters) or with 4-byte characters (utf8mb3): 127, nothing written', async () => {
      expect((await cli('-q', 'cell', 'create', '--name', 'cell1', ...urls())).code).toBe(0);
      for (const [name, pattern] of [
        [long(256), /cell name "x{57}\.\.\." is too long: 256 characters, cell_mappings\.name holds at most 255/],
        ['emoji😀', /cell name "emoji😀" contains U\+1F600, which cell_mappings\.name \(utf8mb3\) cannot hold/],
      ] as const) {
        for (const argv of [['cell', 'create', '--name', name, ...urls()], ['cell', 'ensure', '--name', name, ...urls()], ['cell', 'update', 'cell1', '--name', name]]) {
          const result = await refused(...argv);
          expect({ argv: argv.slice(0, 2), code: result.code }).toEqual({ argv: argv.slice(0, 2), code: 127 });
          expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
          expect(result.stderr).toMatch(pattern);
        }
      }
      // The limit counts characters, as MySQL does: 255 two-byte letters fit.
      expect((await cli('-q', 'cell', 'create', '--name', long(255, 'é'), ...urls())).code).toBe(0);
      expect((await cli('-q', 'cell', 'create', '--name', long(255), ...urls())).code).toBe(0);
    });

    it('refuses URLs longer than a text column (65,535 bytes) or with 4-byte characters, on every command that writes one: 127', async () => {
      const huge = `rabbit://nova:pw@mq/${long(65_536)}`;
      const wide = `rabbit://nova:pw@mq/${long(32_768, 'é')}`;
      for (const [argv, pattern] of [
        [['cell', 'create', '--name', 'c1', '--database-connection', env.newUrl('a'), '--transport-url', huge], /transport URL .* is too long: 65556 bytes, cell_mappings\.transport_url holds at most 65535/],
        [['cell', 'create', '--name', 'c1', '--database-connection', env.newUrl('a'), '--transport-url', wide], /transport URL .* is too long: 65556 bytes/],
        [['cell', 'create', '--name', 'c1', '--database-connection', `${env.newUrl('a')}😀`], /database URL .* contains U\+1F600, which cell_mappings\.database_connection \(utf8mb3\) cannot hold/],
        [['cell', 'ensure', '--name', 'c1', '--transport-url', 'rabbit://nova:pw@mq/😀'], /transport URL .* contains U\+1F600/],
        [['cell0', 'setup', '--database-connection', `${env.newUrl('z')}😀`], /database URL .* contains U\+1F600/],
        [['simple-cell-setup', '--transport-url', 'rabbit://nova:pw@mq/😀'], /transport URL .* contains U\+1F600/],
      ] as const) {
        const result = await refused(...argv);
        expect({ argv: argv.slice(0, 2), code: result.code }).toEqual({ argv: argv.slice(0, 2), code: 127 });
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(pattern);
      }
      expect((await cli('-q', 'cell', 'create', '--name', 'c2', ...urls())).code).toBe(0);
      // The limit is the column's: a URL of exactly 65,535 bytes is stored.
      const widest = `rabbit://nova:pw@mq/${long(65_535 - 20)}`;
      expect((await cli('-q', 'cell', 'create', '--name', 'c3', '--database-connection', env.newUrl('w'), '--transport-url', widest)).code).toBe(0);
      expect((await cellTransportUrls()).includes(widest)).toBe(true);
      const update = await refused('cell', 'update', 'c2', '--transport-url', huge);
      expect(update.code).toBe(127);
      expect(update.stderr).toMatch(/transport URL .* is too long/);
    });
  });

  describe('a database that is not Nova\'s API database', () => {
    it('a cell database as the API database: says so in one line naming the swap, on reads and writes alike: 255, never "unexpected error"', async () => {
      const foreign = env.newUrl('foreign');
      expect((await cli('-q', '--db', foreign, 'db', 'sync')).code).toBe(0);
      for (const argv of [['cell', 'list'], ['host', 'list'], ['cell', 'show', 'cell1'], ['cell', 'create', '--name', 'x', ...urls()], ['map-instances', '--all-cells']]) {
        const result = await cli('--api-db', foreign, ...argv);
        expect({ argv, code: result.code }).toEqual({ argv, code: 255 });
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(result.stderr).not.toContain('unexpected error');
        expect(result.stderr).toMatch(
          /^cellctl: error: API database \S+ holds Nova's cell schema, not the API schema: if \[api_database\] connection \(--api-db\) and \[database\] connection \(--db\) are swapped, swap them\n$/,
        );
      }
    });
  });
});

describe('database URL parameters this machine cannot use', () => {
  // -q: the embedded deployment supplies the rest of the configuration, and would say so.
  const cli = (...argv: string[]) => runCli(['-q', '--api-db', 'sqlite:////nonexistent/never-opened.sqlite', ...argv], { cwd: '/' });

  it('an unknown charset: 127, one line naming it, on use and when a cell would store it', async () => {
    for (const argv of [
      ['--db', 'mysql+pymysql://nova:pw@127.0.0.1:1/nova?charset=nonsense', 'db', 'version'],
      ['cell', 'create', '--name', 'c', '--transport-url', 'rabbit://mq/', '--database-connection', 'mysql+pymysql://nova:pw@127.0.0.1:1/nova?charset=nonsense'],
    ]) {
      const result = await cli(...argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: 127 });
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/charset 'nonsense' is not a character set MySQL clients know/);
      expect(result.stderr).not.toContain('unexpected error');
      expect(result.stderr).not.toContain(':pw@');
    }
  });

  it('an ssl_ca, ssl_cert or ssl_key file that cannot be read: 127, naming the parameter and the file', async () => {
    for (const param of ['ssl_ca', 'ssl_cert', 'ssl_key']) {
      const result = await cli('--db', `mysql+pymysql://nova:pw@127.0.0.1:1/nova?${param}=/nonexistent/${param}.pem`, 'db', 'version');
      expect({ param, code: result.code }).toEqual({ param, code: 127 });
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`${param} names /nonexistent/${param}.pem, which cannot be read: no such file`);
    }
  });
});
