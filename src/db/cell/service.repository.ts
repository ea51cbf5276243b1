import type { Kysely } from 'kysely';
import type { CellDatabase } from './cell-tables.generated';

/** The distinct hosts of live `nova-compute` services, disabled ones included (Nova's --by-service). */
export async function listComputeServiceHosts(db: Kysely<CellDatabase>): Promise<string[]> {
  const rows = await db
    .selectFrom('services')
    .select('host')
    .distinct()
    .where('binary', '=', 'nova-compute')
    .where('deleted', '=', 0)
    .where('host', 'is not', null)
    .orderBy('host')
    .execute();
  return rows.map((r) => r.host as string);
}
