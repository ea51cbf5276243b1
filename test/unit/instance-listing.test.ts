/**
 * The merge of a listing across cells: Nova API's order (the key, then uuid ascending), timestamps
 * compared by the instant they name whatever their spelling, build requests first, duplicates
 * dropped, UNKNOWN rows on top of the limit.
 */
import { comparableTimestamp, comparePositions, mergeListing, novaStatus, type ListedInstance } from '../../src/domain/instance-listing';

function row(uuid: string, createdAt: string | null, id: number | null, source: ListedInstance['source'] = 'cell'): ListedInstance {
  return { uuid, id, name: uuid, status: 'ACTIVE', vmState: 'active', taskState: null, projectId: 'p', userId: 'u', host: null, cell: null, createdAt, updatedAt: null, launchedAt: null, terminatedAt: null, deleted: false, source };
}

describe('listing merge', () => {
  it('compares MySQL whole seconds and SQLite text with or without a fraction by the instant', () => {
    expect(comparableTimestamp('2026-12-01 16:07:05')).toBe('2026-12-01 16:07:05.000000');
    expect(comparableTimestamp('2026-12-01 16:07:05.000000')).toBe('2026-12-01 16:07:05.000000');
    expect(comparableTimestamp('2026-12-01 16:07:05.5')).toBe('2026-12-01 16:07:05.500000');
    expect(comparableTimestamp(null)).toBeNull();
    // Equal instants: the uuid decides, not the spelling.
    const mysql = { value: '2026-12-01 16:07:05', uuid: 'b', id: 1 };
    const sqlite = { value: '2026-12-01 16:07:05.000000', uuid: 'a', id: 9 };
    expect(comparePositions(sqlite, mysql, 'desc')).toBeLessThan(0);
    expect(comparePositions(sqlite, mysql, 'asc')).toBeLessThan(0);
    // NULL is the smallest: last when descending, first when ascending.
    const none = { value: null, uuid: 'a', id: 1 };
    expect(comparePositions(none, mysql, 'desc')).toBeGreaterThan(0);
    expect(comparePositions(none, mysql, 'asc')).toBeLessThan(0);
  });

  it('orders ties on the key by uuid ascending, as GET /servers does, and copies of one instance by id', () => {
    const cellA = [row('c', '2026-01-01 10:00:00', 5), row('a', '2026-01-01 10:00:00', 9)];
    const cellB = [row('b', '2026-01-01 10:00:00.000000', 1), row('c', '2026-01-01 10:00:00.000000', 2)];
    const page = mergeListing({ buildRequests: [], cellPages: [cellA, cellB], unknown: [] }, { key: 'created_at', direction: 'desc' }, 10);
    expect(page.map((r) => [r.uuid, r.id])).toEqual([
      ['a', 9],
      ['b', 1],
      ['c', 5],
    ]);
  });

  it('puts build requests first and UNKNOWN rows on top of the limit, without repeating a uuid', () => {
    const page = mergeListing(
      { buildRequests: [row('br', '2020-01-01 00:00:00', null, 'build-request')], cellPages: [[row('x', '2026-01-01 00:00:00', 1), row('br', '2026-01-01 00:00:00', 2)]], unknown: [row('u1', null, null, 'unknown'), row('x', null, null, 'unknown')] },
      { key: 'created_at', direction: 'desc' },
      2,
    );
    expect(page.map((r) => `${r.source}:${r.uuid}`)).toEqual(['unknown:u1', 'build-request:br', 'cell:x']);
  });

  it("shows Nova API's status for a vm_state and task_state", () => {
    expect([novaStatus('active', null), novaStatus('active', 'rebooting_hard'), novaStatus('stopped', 'resize_prep'), novaStatus('error', null), novaStatus('soft-delete', null), novaStatus('bogus', null), novaStatus(null, null)]).toEqual([
      'ACTIVE',
      'HARD_REBOOT',
      'RESIZE',
      'ERROR',
      'SOFT_DELETED',
      'UNKNOWN',
      'UNKNOWN',
    ]);
  });
});
