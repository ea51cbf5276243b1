/**
 * Compile-time layering checks, compiled by `npm run check:layering` (tsc fails on an unused
 * @ts-expect-error, so each line below must stay a type error). ts-jest only transpiles, so these
 * could never fail inside a jest test.
 */
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import type { Tx } from '../../src/db/unit-of-work';
import type { InstanceMappingInsert } from '../../src/db/api/instance-mapping.repository';
import { insertInstanceMappingsIgnoringExisting } from '../../src/db/api/instance-mapping.repository';
import type { DialectAdapter } from '../../src/db/dialect-adapter';

export function databaseInterfacesStayApart(api: Kysely<ApiDatabase>, cell: Kysely<CellDatabase>): unknown[] {
  return [
    // @ts-expect-error a cell table cannot be named through the API database
    api.selectFrom('instances'),
    // @ts-expect-error an API table cannot be named through a cell database
    cell.selectFrom('cell_mappings'),
  ];
}

export function atomicWritesNeedAUnitOfWork(api: Kysely<ApiDatabase>, tx: Tx<ApiDatabase>, adapter: DialectAdapter, rows: InstanceMappingInsert[]): unknown[] {
  return [
    insertInstanceMappingsIgnoringExisting(tx, adapter, rows),
    // @ts-expect-error a repository that must be atomic takes a transaction, not a plain database
    insertInstanceMappingsIgnoringExisting(api, adapter, rows),
  ];
}
