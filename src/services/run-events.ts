import type { Cell } from '../domain/cell';
import type { CellRef } from '../domain/errors';
import type { KeptApiValue, MigrationCounts, MigrationName } from '../domain/online-migrations';
import type { OutcomeSummary } from './cell-execution';

/** Notices a service reports while it runs, as data: each front words them its own way. */
export type Notice =
  /** A value the caller did not give was taken from the configuration. */
  | { kind: 'value-from-configuration'; field: 'database_connection' | 'transport_url'; value: string }
  /** A host found in one cell is mapped to another; it is left as it is. */
  | { kind: 'host-in-other-cell'; host: string; cell: CellRef; mappedTo: { uuid: string | null; name: string | null }; byService: boolean }
  /** Waiting for hosts to be mapped: a round ended with these still missing. */
  | { kind: 'waiting-for-hosts'; missing: string[]; round: number; elapsedMs: number; timeoutMs: number }
  /**
   * An online migration met cell rows whose key the API database already held with another value:
   * the API's values were kept (`count` rows; `examples`, the first few) and the cell rows soft-deleted.
   */
  | { kind: 'api-value-kept'; migration: MigrationName; cell: Cell; count: number; examples: KeptApiValue[] }
  /** Legacy groups of a cell whose UUID the API database already has: the API copy kept, the cell copy soft-deleted (`status`: would be). */
  | { kind: 'instance-groups-already-in-api'; cell: CellRef; groups: string[]; status: boolean };

/** What a long-running service reports while it runs (progress, notices), one union for every service. */
export type RunEvent =
  | { type: 'cell-started'; cell: Cell }
  | { type: 'cell-progress'; cell: Cell; done: number; total: number; counts: Record<string, number> }
  | { type: 'cell-finished'; cell: Cell; outcome: OutcomeSummary }
  /** An online data migration's counts in a cell so far (after each chunk). */
  | { type: 'migration-progress'; migration: MigrationName; cell: Cell; counts: MigrationCounts }
  | { type: 'notice'; notice: Notice };

/** Receives run events; services call it, never print. */
export type RunEventSink = (event: RunEvent) => void;
