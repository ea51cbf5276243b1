import type { Kysely } from 'kysely';
import type { CellDatabase } from './cell-tables.generated';

/** How many live (`deleted = 0`) instances a cell database holds, hidden ones included. */
export async function countLiveInstances(db: Kysely<CellDatabase>): Promise<number> {
  const row = await db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).where('deleted', '=', 0).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many live instances run on one host. */
export async function countLiveInstancesOnHost(db: Kysely<CellDatabase>, host: string): Promise<number> {
  const row = await db
    .selectFrom('instances')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('deleted', '=', 0)
    .where('host', '=', host)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
