/**
 * The machinery behind the new-row builders (api/new-api-rows.ts, cell/new-cell-rows.ts): each
 * table states the client-side defaults of Nova's SQLAlchemy model as data, and one function fills
 * them in, so a row cellctl inserts carries what Nova's ORM would have written for it.
 */
import { toDbTimestamp } from './dialect';

/** Stands, in a table's defaults, for the time of the insert (Nova's `default=timeutils.utcnow`). */
export const NOW: unique symbol = Symbol('now');

/** A table's client-side column defaults: a value, or NOW for a timestamp column defaulting to utcnow. */
export type ColumnDefaults<Row> = {
  readonly [K in keyof Row]?: Row[K] | (string extends Row[K] ? typeof NOW : never);
};

/** A builder's input: the columns a table requires and has no default for; any other column as an override. */
export type NewRowValues<Row, Defaults> = Omit<Row, keyof Defaults> & Partial<Pick<Row, keyof Defaults & keyof Row>>;

/** The time of an insert: a Date, or a timestamp already in Nova's 'YYYY-MM-DD HH:MM:SS' UTC form (taken as is). */
export type RowTime = Date | string;

/** A RowTime as a timestamp column holds it ('YYYY-MM-DD HH:MM:SS' UTC). */
export function rowTimestamp(time: RowTime): string {
  return typeof time === 'string' ? time : toDbTimestamp(time);
}

/**
 * oslo.db's TimestampMixin: created_at defaults to utcnow; updated_at has only an onupdate, so a
 * new row leaves it NULL.
 */
export const TIMESTAMP_MIXIN = { created_at: NOW, updated_at: null } as const;

/** oslo.db's SoftDeleteMixin: deleted defaults to 0 (a live row); deleted_at is NULL until soft-deleted. */
export const SOFT_DELETE_MIXIN = { deleted: 0, deleted_at: null } as const;

/**
 * Returns a new row: `defaults` (NOW resolved to `now`) overridden by `values`. A value given as
 * `undefined` counts as not given, so the default stays. Pure; touches no database.
 */
export function buildNewRow<Row>(defaults: ColumnDefaults<Row>, values: Partial<Row>, now: RowTime): Row {
  const time = rowTimestamp(now);
  const row: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(defaults)) row[column] = value === NOW ? time : value;
  for (const [column, value] of Object.entries(values)) if (value !== undefined) row[column] = value;
  return row as Row;
}
