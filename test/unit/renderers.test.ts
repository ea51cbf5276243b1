import { parse } from 'yaml';
import { InvalidOptionError } from '../../src/domain/errors';
import {
  headerFor,
  OUTPUT_FORMATS,
  parseOutputFormat,
  type ColumnSpec,
  type Scalar,
} from '../../src/cli/output/output-format';
import { renderList, renderObject, selectColumns } from '../../src/cli/output/renderers';

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

  it('prints the header of an empty table', () => {
    expect(renderList([], COLUMNS.slice(0, 2), { format: 'table' })).toBe(
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
    expect(renderList(ROWS, COLUMNS, { format: 'csv', select: ['transport_url'] })).toBe(
      '"transport_url"\n"none:///"\n\n',
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
