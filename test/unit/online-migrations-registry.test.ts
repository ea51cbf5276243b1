import { CELLCTL_ONLINE_MIGRATIONS, NOVA_ONLINE_MIGRATIONS } from '../../src/domain/online-migrations';
import { ONLINE_MIGRATIONS } from '../../src/services/online-migrations/registry';

describe('the online data migrations registry', () => {
  it("runs Nova's migrations in Nova's registry order, then cellctl's own, each once", () => {
    const names = ONLINE_MIGRATIONS.map((m) => m.name);
    const order = [...NOVA_ONLINE_MIGRATIONS, ...CELLCTL_ONLINE_MIGRATIONS] as readonly string[];
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(order.filter((name) => names.includes(name as never)));
    for (const m of ONLINE_MIGRATIONS) expect([m.name, m.origin]).toEqual([m.name, (NOVA_ONLINE_MIGRATIONS as readonly string[]).includes(m.name) ? 'nova' : 'cellctl']);
  });
});
