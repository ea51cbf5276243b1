import { parse } from 'yaml';
import { InvalidOptionError } from '../../src/domain/errors';
import {
  headerFor,
  OUTPUT_FORMATS,
  parseOutputFormat,
  type ColumnSpec,
  type Scalar,
} from '../../src/cli/output/output-format';
import { fitColumnWidths, renderDocument, renderList, renderObject, selectColumns, sortRows } from '../../src/cli/output/renderers';

const COLUMNS: ColumnSpec[] = [
  { key: 'name' },
  { key: 'uuid' },
  { key: 'transport_url' },
  { key: 'disabled' },
];

const ROWS: Array<Record<string, Scalar>> = [
  {
    name: 'cell0',
    uuid: '00000000-0000-0000-0000-000000000000',
    transport_url: 'none:///',
    disabled: false,
  },
  { name: 'cell1', uuid: 'c1', transport_url: null, disabled: true },
];

describe('parseOutputFormat', () => {
  it('accepts the five formats', () => {
    for (const format of OUTPUT_FORMATS) {
      expect(parseOutputFormat(format)).toBe(format);
    }
    expect(parseOutputFormat('JSON')).toBe('json');
  });

  it('rejects anything else, listing the valid formats', () => {
    expect(() => parseOutputFormat('shell')).toThrow(InvalidOptionError);
    expect(() => parseOutputFormat('xml')).toThrow(
      "invalid output format 'xml': choose one of table, json, yaml, value, csv",
    );
  });
});

describe('headerFor', () => {
  it.each([
    ['transport_url', 'Transport URL'],
    ['uuid', 'UUID'],
    ['database_connection', 'Database Connection'],
    ['id', 'ID'],
    ['cell_uuid', 'Cell UUID'],
    ['name', 'Name'],
    ['queued_for_delete', 'Queued For Delete'],
  ])('%s -> %s', (key, header) => {
    expect(headerFor(key)).toBe(header);
  });
});

describe('renderList', () => {
  it('renders a table with ASCII borders, True/False and empty nulls', () => {
    expect(renderList(ROWS, COLUMNS, { format: 'table' })).toBe(
      [
        '+-------+--------------------------------------+---------------+----------+',
        '| Name  | UUID                                 | Transport URL | Disabled |',
        '+-------+--------------------------------------+---------------+----------+',
        '| cell0 | 00000000-0000-0000-0000-000000000000 | none:///      | False    |',
        '| cell1 | c1                                   |               | True     |',
        '+-------+--------------------------------------+---------------+----------+',
        '',
      ].join('\n'),
    );
  });

  it('uses an explicit header and shows one row per record, line breaks and escape bytes escaped', () => {
    const out = renderList(
      [
        { id: 1, note: 'a\nb' },
        { id: 2, note: 'c\x1b[2J' },
      ],
      [{ key: 'id' }, { key: 'note', header: 'Remark' }],
      { format: 'table' },
    );
    expect(out).toBe(
      [
        '+----+--------+',
        '| ID | Remark |',
        '+----+--------+',
        '| 1  | a\\nb   |',
        '| 2  | c\\e[2J |',
        '+----+--------+',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for an empty table, and its header with printEmpty (cliff --print-empty)', () => {
    expect(renderList([], COLUMNS.slice(0, 2), { format: 'table' })).toBe('');
    expect(renderList([], COLUMNS.slice(0, 2), { format: 'table', printEmpty: true })).toBe(
      ['+------+------+', '| Name | UUID |', '+------+------+', '+------+------+', ''].join('\n'),
    );
  });

  it('renders JSON as an array of snake_case objects', () => {
    const out = renderList(ROWS, COLUMNS, { format: 'json' });
    expect(out).toBe(
      [
        '[',
        '  {',
        '    "name": "cell0",',
        '    "uuid": "00000000-0000-0000-0000-000000000000",',
        '    "transport_url": "none:///",',
        '    "disabled": false',
        '  },',
        '  {',
        '    "name": "cell1",',
        '    "uuid": "c1",',
        '    "transport_url": null,',
        '    "disabled": true',
        '  }',
        ']',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(out)).toEqual(ROWS);
  });

  it('gives absent values as null', () => {
    const out = renderList([{ name: 'x' }], [{ key: 'name' }, { key: 'disabled' }], { format: 'json' });
    expect(JSON.parse(out)).toEqual([{ name: 'x', disabled: null }]);
  });

  it('renders YAML that round-trips strings that look like other types', () => {
    const tricky: Array<Record<string, Scalar>> = [
      { name: 'null', uuid: 'true', transport_url: 'none:///', disabled: false },
      { name: '123', uuid: 'a: b', transport_url: null, disabled: true },
      { name: 'yes', uuid: '2024-01-01 10:00:00', transport_url: '1:20', disabled: false },
      { name: '', uuid: '~', transport_url: '0o17', disabled: false },
    ];
    const out = renderList(tricky, COLUMNS, { format: 'yaml' });
    expect(out.endsWith('\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
    expect(parse(out)).toEqual(tricky);
    expect(parse(out, { version: '1.1' })).toEqual(tricky);
    expect(out).toContain('- name: "null"\n  uuid: "true"\n  transport_url: none:///\n  disabled: false\n');
    expect(out).toContain('  transport_url: null\n  disabled: true\n');
  });

  it('does not fold long YAML strings', () => {
    const url = `mysql+pymysql://nova:secret@db.example.org:3306/nova_cell1?charset=utf8&${'x'.repeat(80)} y`;
    const out = renderList([{ database_connection: url }], [{ key: 'database_connection' }], {
      format: 'yaml',
    });
    expect(out).toBe(`- database_connection: ${url}\n`);
  });

  it('renders value as space-separated values, one row a line', () => {
    expect(renderList(ROWS, COLUMNS, { format: 'value' })).toBe(
      'cell0 00000000-0000-0000-0000-000000000000 none:/// False\ncell1 c1  True\n',
    );
  });

  it('renders CSV with quoted strings and bare numbers and booleans', () => {
    const out = renderList(
      [
        { name: 'say "hi", ok', count: 3, disabled: true, note: null },
        { name: 'plain', count: 0.5, disabled: false, note: 'x' },
      ],
      [{ key: 'name' }, { key: 'count' }, { key: 'disabled' }, { key: 'note' }],
      { format: 'csv' },
    );
    expect(out).toBe(
      '"name","count","disabled","note"\n"say ""hi"", ok",3,True,\n"plain",0.5,False,"x"\n',
    );
  });

  it('selects columns with -c by key or by header, in the order given', () => {
    expect(
      renderList(ROWS, COLUMNS, { format: 'value', select: ['Transport URL', 'name'] }),
    ).toBe('none:/// cell0\n cell1\n');
    expect(renderList(ROWS, COLUMNS, { format: 'json', select: ['uuid', 'DISABLED'] })).toBe(
      JSON.stringify(
        [
          { uuid: '00000000-0000-0000-0000-000000000000', disabled: false },
          { uuid: 'c1', disabled: true },
        ],
        null,
        2,
      ) + '\n',
    );
    // A record of one empty field is "" (as Python's csv writes it): an empty line would read as no record.
    expect(renderList(ROWS, COLUMNS, { format: 'csv', select: ['transport_url'] })).toBe(
      '"transport_url"\n"none:///"\n""\n',
    );
    expect(renderList(ROWS, COLUMNS, { format: 'table', select: ['name'] })).toBe(
      ['+-------+', '| Name  |', '+-------+', '| cell0 |', '| cell1 |', '+-------+', ''].join(
        '\n',
      ),
    );
  });

  it('ignores a column selected twice', () => {
    expect(selectColumns(COLUMNS, ['name', 'Name']).map((c) => c.key)).toEqual(['name']);
    expect(selectColumns(COLUMNS, [])).toBe(COLUMNS);
  });

  it('rejects an unknown -c, naming the valid keys', () => {
    expect(() => renderList(ROWS, COLUMNS, { format: 'table', select: ['host'] })).toThrow(
      InvalidOptionError,
    );
    expect(() => renderList(ROWS, COLUMNS, { format: 'json', select: ['name', 'host'] })).toThrow(
      "unknown column 'host': valid columns are name, uuid, transport_url, disabled",
    );
  });

  it('renders empty lists', () => {
    expect(renderList([], COLUMNS, { format: 'value' })).toBe('');
    expect(renderList([], COLUMNS, { format: 'csv' })).toBe(
      '"name","uuid","transport_url","disabled"\n',
    );
    expect(renderList([], COLUMNS, { format: 'json' })).toBe('[]\n');
    expect(renderList([], COLUMNS, { format: 'yaml' })).toBe('[]\n');
  });
});

describe('renderObject', () => {
  const cell = ROWS[0];

  it('renders a Field/Value table with the headers', () => {
    expect(renderObject(cell, COLUMNS, { format: 'table' })).toBe(
      [
        '+---------------+--------------------------------------+',
        '| Field         | Value                                |',
        '+---------------+--------------------------------------+',
        '| Name          | cell0                                |',
        '| UUID          | 00000000-0000-0000-0000-000000000000 |',
        '| Transport URL | none:///                             |',
        '| Disabled      | False                                |',
        '+---------------+--------------------------------------+',
        '',
      ].join('\n'),
    );
  });

  it('renders one JSON object and one YAML mapping', () => {
    expect(renderObject(ROWS[1], COLUMNS, { format: 'json' })).toBe(
      '{\n  "name": "cell1",\n  "uuid": "c1",\n  "transport_url": null,\n  "disabled": true\n}\n',
    );
    const yamlOut = renderObject(cell, COLUMNS, { format: 'yaml' });
    expect(yamlOut).toBe(
      'name: cell0\nuuid: 00000000-0000-0000-0000-000000000000\ntransport_url: none:///\ndisabled: false\n',
    );
    expect(parse(yamlOut)).toEqual(cell);
  });

  it('renders value one per line and csv as header plus row', () => {
    expect(renderObject(ROWS[1], COLUMNS, { format: 'value' })).toBe('cell1\nc1\n\nTrue\n');
    expect(renderObject(cell, COLUMNS, { format: 'csv' })).toBe(
      '"name","uuid","transport_url","disabled"\n"cell0","00000000-0000-0000-0000-000000000000","none:///",False\n',
    );
  });

  it('selects fields with -c', () => {
    expect(
      renderObject(cell, COLUMNS, { format: 'table', select: ['uuid', 'Name'] }),
    ).toBe(
      [
        '+-------+--------------------------------------+',
        '| Field | Value                                |',
        '+-------+--------------------------------------+',
        '| UUID  | 00000000-0000-0000-0000-000000000000 |',
        '| Name  | cell0                                |',
        '+-------+--------------------------------------+',
        '',
      ].join('\n'),
    );
    expect(renderObject(cell, COLUMNS, { format: 'value', select: ['uuid'] })).toBe(
      '00000000-0000-0000-0000-000000000000\n',
    );
    expect(() => renderObject(cell, COLUMNS, { format: 'value', select: ['nope'] })).toThrow(
      InvalidOptionError,
    );
  });
});

describe('control bytes in stored data (a name Nova stored)', () => {
  const evil = 'ev\x1b[31mil\nline2\r\t\x07\x9b';
  const rows = [{ name: evil, uuid: 'c1' }, { name: 'ok', uuid: 'c2' }];
  const columns: ColumnSpec[] = [{ key: 'name' }, { key: 'uuid' }];
  const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

  it('value: escaped, one record a line', () => {
    const out = renderList(rows, columns, { format: 'value' });
    expect(out).toBe('ev\\e[31mil\\nline2\\r\\t\\x07\\x9b c1\nok c2\n');
    expect(out).not.toMatch(RAW_CONTROL);
    expect(renderObject(rows[0], columns, { format: 'value' })).toBe('ev\\e[31mil\\nline2\\r\\t\\x07\\x9b\nc1\n');
  });

  it('csv: every control byte escaped (line breaks too), one record a line', () => {
    const out = renderList(rows, columns, { format: 'csv' });
    expect(out).toBe('"name","uuid"\n"ev\\e[31mil\\nline2\\r\\t\\x07\\x9b","c1"\n"ok","c2"\n');
    expect(out).not.toMatch(RAW_CONTROL);
    expect(renderObject(rows[0], columns, { format: 'csv' })).not.toMatch(RAW_CONTROL);
  });

  it('json and yaml: the data as it is', () => {
    expect(JSON.parse(renderList(rows, columns, { format: 'json' }))[0].name).toBe(evil);
    expect(parse(renderList(rows, columns, { format: 'yaml' }))[0].name).toBe(evil);
  });
});

describe('sorting (cliff --sort-column, --sort-ascending, --sort-descending)', () => {
  const hosts: Array<Record<string, Scalar>> = [
    { host: 'compute-b', cell: 'cell2', instances: 10, disabled: false },
    { host: 'compute-a', cell: 'cell1', instances: 9, disabled: true },
    { host: 'compute-c', cell: null, instances: 100, disabled: false },
    { host: 'compute-d', cell: 'cell1', instances: null, disabled: false },
  ];
  const columns: ColumnSpec[] = [{ key: 'host' }, { key: 'cell' }, { key: 'instances' }, { key: 'disabled' }];
  const order = (sort: { columns: string[]; descending: boolean }): unknown[] =>
    renderList(hosts, columns, { format: 'value', select: ['host'], sort }).trim().split('\n');

  it('sorts text by code point, absent values last (first when descending)', () => {
    expect(order({ columns: ['cell'], descending: false })).toEqual(['compute-a', 'compute-d', 'compute-b', 'compute-c']);
    expect(order({ columns: ['cell'], descending: true })).toEqual(['compute-c', 'compute-b', 'compute-a', 'compute-d']);
    const texts = sortRows([{ t: '\u{1F600}' }, { t: '\uFF01' }, { t: 'b' }, { t: 'B' }], [{ key: 't' }], { columns: ['t'], descending: false });
    expect(texts.map((r) => r.t)).toEqual(['B', 'b', '\uFF01', '\u{1F600}']);
  });

  it('sorts numbers by value, not as text', () => {
    expect(order({ columns: ['instances'], descending: false })).toEqual(['compute-a', 'compute-b', 'compute-c', 'compute-d']);
    expect(order({ columns: ['Instances'], descending: true })).toEqual(['compute-d', 'compute-c', 'compute-b', 'compute-a']);
  });

  it('sorts by several columns, the first given deciding first, equal rows kept in their order', () => {
    expect(order({ columns: ['disabled', 'cell'], descending: false })).toEqual(['compute-d', 'compute-b', 'compute-c', 'compute-a']);
    expect(order({ columns: ['disabled'], descending: true })).toEqual(['compute-a', 'compute-b', 'compute-c', 'compute-d']);
  });

  it('sorts on a column -c does not show, in every format', () => {
    const json = JSON.parse(renderList(hosts, columns, { format: 'json', select: ['host'], sort: { columns: ['instances'], descending: true } }));
    expect(json).toEqual([{ host: 'compute-d' }, { host: 'compute-c' }, { host: 'compute-b' }, { host: 'compute-a' }]);
  });

  it('refuses a column that does not exist (cliff ignores it), naming the valid ones', () => {
    expect(() => order({ columns: ['cell', 'zone'], descending: false })).toThrow(InvalidOptionError);
    expect(() => order({ columns: ['zone'], descending: false })).toThrow("unknown --sort-column 'zone': valid columns are host, cell, instances, disabled");
  });

  it('leaves a column of text and numbers unsorted, with a warning', () => {
    const warnings: string[] = [];
    const rows = [{ v: 'b' }, { v: 2 }, { v: 'a' }];
    const sorted = sortRows(rows, [{ key: 'v' }], { columns: ['v'], descending: false }, (w) => warnings.push(w));
    expect(sorted.map((r) => r.v)).toEqual(['b', 2, 'a']);
    expect(warnings).toEqual(["could not sort on column 'v': it holds both text and numbers"]);
  });
});

describe('--noindent', () => {
  it('prints JSON on one line: listings, objects and documents', () => {
    const list = renderList(ROWS, COLUMNS, { format: 'json', noIndent: true });
    expect(list.split('\n')).toEqual([expect.any(String), '']);
    expect(JSON.parse(list)).toEqual(ROWS);
    const one = renderObject(ROWS[0], COLUMNS, { format: 'json', noIndent: true });
    expect(one).toBe('{"name":"cell0","uuid":"00000000-0000-0000-0000-000000000000","transport_url":"none:///","disabled":false}\n');
    expect(renderDocument({ a: [1, { b: null }] }, 'json', true)).toBe('{"a":[1,{"b":null}]}\n');
  });
});

describe('--quote', () => {
  const rows: Array<Record<string, Scalar>> = [{ name: 'a,b "c" d\\e', count: 3, flag: true, note: null }, { name: 'plain', count: 0.5, flag: false, note: '' }];
  const columns: ColumnSpec[] = [{ key: 'name' }, { key: 'count' }, { key: 'flag' }, { key: 'note' }];
  const csv = (quote: 'all' | 'minimal' | 'none' | 'nonnumeric' | undefined): string => renderList(rows, columns, { format: 'csv', quote });

  it('nonnumeric (the default): text quoted, numbers and booleans bare, absent values empty', () => {
    expect(csv(undefined)).toBe('"name","count","flag","note"\n"a,b ""c"" d\\e",3,True,\n"plain",0.5,False,""\n');
    expect(csv('nonnumeric')).toBe(csv(undefined));
  });

  it('all: every field quoted, absent values too', () => {
    expect(csv('all')).toBe('"name","count","flag","note"\n"a,b ""c"" d\\e","3","True",""\n"plain","0.5","False",""\n');
  });

  it('minimal: only fields with a comma or a quote', () => {
    expect(csv('minimal')).toBe('name,count,flag,note\n"a,b ""c"" d\\e",3,True,\nplain,0.5,False,\n');
  });

  it('none: nothing quoted; commas, quotes and backslashes escaped with a backslash', () => {
    expect(csv('none')).toBe('name,count,flag,note\na\\,b \\"c\\" d\\\\e,3,True,\nplain,0.5,False,\n');
  });

  it('quotes a record of one empty field in every mode but none', () => {
    const one = (quote: 'all' | 'minimal' | 'none' | 'nonnumeric'): string => renderList([{ note: null }], [{ key: 'note' }], { format: 'csv', quote });
    expect(one('nonnumeric')).toBe('"note"\n""\n');
    expect(one('minimal')).toBe('note\n""\n');
    expect(one('all')).toBe('"note"\n""\n');
    expect(one('none')).toBe('note\n\n');
  });
});

describe('fitting tables to a width (cliff --fit-width, --max-width)', () => {
  const url = (n: number): string => `mysql+pymysql://nova:****@db-controller-0${n}.example.org:3306/nova_cell${n}?charset=utf8`;
  const cells: Array<Record<string, Scalar>> = [1, 2, 3].map((n) => ({
    name: `cell${n}`,
    uuid: `0193e2df-879f-4c7f-b368-3f5825ef033${n}`,
    transport_url: `rabbit://openstack:****@rabbit-0${n}.example.org:5672/cell${n}`,
    database_connection: url(n),
    disabled: n === 2,
  }));
  const columns: ColumnSpec[] = [{ key: 'name' }, { key: 'uuid' }, { key: 'transport_url' }, { key: 'database_connection' }, { key: 'disabled' }];

  /** The text of each column of a table, its wrapped lines joined (whitespace dropped), row by row. */
  function cellTexts(table: string): string[][] {
    const lines = table.trimEnd().split('\n');
    const rules = lines.flatMap((line, i) => (line.startsWith('+') ? [i] : []));
    const rows: string[][] = [];
    for (const line of lines.slice(rules[1] + 1, rules[2])) {
      const parts = line.split('|').slice(1, -1).map((p) => p.trim());
      if (parts[0] !== '' || rows.length === 0) rows.push(parts);
      else rows[rows.length - 1] = rows[rows.length - 1].map((text, i) => text + parts[i]);
    }
    return rows;
  }

  it('is as wide as the content without a limit, or with a limit it already fits', () => {
    const natural = renderList(cells, columns, { format: 'table' });
    expect(Math.max(...natural.split('\n').map((l) => l.length))).toBeGreaterThan(150);
    const wide = Math.max(...natural.split('\n').map((l) => l.length));
    expect(renderList(cells, columns, { format: 'table', maxWidth: wide })).toBe(natural);
  });

  it('at 80 columns: no line longer than 80, the URLs wrapped, the content complete', () => {
    const out = renderList(cells, columns, { format: 'table', maxWidth: 80 });
    const lines = out.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(lines.length).toBeGreaterThan(cells.length + 4);
    expect(out).not.toContain(url(1));
    expect(out).not.toContain('…');
    const texts = cellTexts(out);
    expect(texts).toEqual(cells.map((c) => columns.map((col) => (typeof c[col.key] === 'boolean' ? (c[col.key] ? 'True' : 'False') : String(c[col.key])).replace(/\s/g, ''))));
    // Headers wrap on word boundaries where the words fit.
    expect(lines[1]).toMatch(/\| Database +\|/);
    expect(lines[2]).toMatch(/\| Connection +\|/);
  });

  it('keeps columns narrower than an equal share as they are', () => {
    const lines = renderList(cells, columns, { format: 'table', maxWidth: 80 }).split('\n');
    expect(lines[0].split('+').slice(1, -1).map((s) => s.length - 2)).toEqual([5, 17, 17, 17, 8]);
  });

  it('fits an object table (Field | Value) too', () => {
    const out = renderObject(cells[0], columns, { format: 'table', maxWidth: 50 });
    const lines = out.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(50);
    expect(cellTexts(out).map((r) => r[1]).join('')).toContain(url(1));
  });

  it('never wraps a column below the minimum width, so a table of many columns may still overflow', () => {
    expect(fitColumnWidths([40, 40, 40], 30, 8)).toEqual([8, 8, 8]);
    // 80 - 1 - 3 x 3 = 70 columns for content.
    expect(fitColumnWidths([4, 40, 100], 80, 8)).toEqual([4, 33, 33]);
    expect(fitColumnWidths([4, 20, 100], 80, 8)).toEqual([4, 20, 46]);
  });
});
