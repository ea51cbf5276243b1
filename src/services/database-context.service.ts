import { DatabaseContext, type DatabaseContextOptions } from '../db/database-context';

export type { DatabaseContext, DatabaseContextOptions };

/** Creates the per-run database context (connections open on first use; close() closes all). */
export function createDatabaseContext(options: DatabaseContextOptions): DatabaseContext {
  return new DatabaseContext(options);
}
