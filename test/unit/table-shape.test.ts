import { loadSchemaDefinition } from '../../src/db/schema/schema-definition';
import { compareTableShapes, mysqlTableShape, sqliteTableShape, type TableShape } from '../../src/db/schema/table-shape';

const hostMappings = loadSchemaDefinition('api').tables.find((t) => t.name === 'host_mappings')!;

/** A copy of `shape` changed by `change`. */
function altered(shape: TableShape, change: (copy: TableShape) => void): TableShape {
  const copy = structuredClone(shape);
  change(copy);
  return copy;
}

describe.each([
  ['mysql', mysqlTableShape],
  ['sqlite', sqliteTableShape],
])('table shapes [%s]', (_dialect, shapeOf) => {
  const expected = shapeOf(hostMappings);

  it('finds no difference between a table and itself', () => {
    expect(compareTableShapes(expected, structuredClone(expected))).toBeUndefined();
  });

  it('names the first extra, missing or differing column', () => {
    expect(compareTableShapes(expected, altered(expected, (s) => s.columns.push({ ...s.columns[0], name: 'note' })))).toEqual({ part: 'column', name: 'note', problem: 'unexpected' });
    expect(compareTableShapes(expected, altered(expected, (s) => s.columns.splice(4, 1)))).toEqual({ part: 'column', name: 'host', problem: 'missing' });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.columns[4].nullable = true)))).toMatchObject({ part: 'column', name: 'host', problem: 'differs' });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.columns[4].default = 'x')))).toMatchObject({ part: 'column', name: 'host', problem: 'differs', found: expect.stringMatching(/DEFAULT 'x'/) });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.columns[3].type = 'bigint')))).toMatchObject({ part: 'column', name: 'cell_id', problem: 'differs' });
    expect(compareTableShapes(expected, altered(expected, (s) => s.columns.reverse()))).toMatchObject({ part: 'table', name: 'column order', problem: 'differs' });
  });

  it('names a missing, extra or differing index, and a differing foreign key or primary key', () => {
    expect(compareTableShapes(expected, altered(expected, (s) => (s.keys = s.keys.filter((k) => k.name !== 'host_idx'))))).toEqual({ part: 'index', name: 'host_idx', problem: 'missing' });
    expect(compareTableShapes(expected, altered(expected, (s) => s.keys.push({ name: 'extra_idx', unique: false, columns: ['host'] })))).toEqual({ part: 'index', name: 'extra_idx', problem: 'unexpected' });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.keys.find((k) => k.name === 'host_idx')!.unique = true)))).toEqual({
      part: 'index',
      name: 'host_idx',
      problem: 'differs',
      expected: '(host)',
      found: 'UNIQUE (host)',
    });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.foreignKeys[0].refTable = 'other')))).toMatchObject({ part: 'foreign key', problem: 'differs' });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.foreignKeys = [])))).toMatchObject({ part: 'foreign key', problem: 'missing' });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.primaryKey = ['host'])))).toMatchObject({ part: 'table', name: 'primary key', problem: 'differs' });
  });
});

describe('MySQL table shapes', () => {
  it('compare table options and collations, and ignore integer display widths', () => {
    const expected = mysqlTableShape(hostMappings);
    const found = altered(expected, (s) => (s.options.collation = 'latin1_swedish_ci'));
    expect(compareTableShapes(expected, found)).toEqual({ part: 'table', name: 'collation', problem: 'differs', expected: 'utf8mb3_general_ci', found: 'latin1_swedish_ci' });
    expect(compareTableShapes(expected, altered(expected, (s) => (s.columns[4].collation = 'utf8mb3_bin')))).toMatchObject({ part: 'column', name: 'host', problem: 'differs' });
    expect(expected.columns[2]).toMatchObject({ name: 'id', type: 'int', extra: 'auto_increment' });
  });
});
