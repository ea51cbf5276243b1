/** The pure half of fill_virtual_interface_list: reading network_info, and what to do with an instance's VIFs. */
import { parseNetworkInfo, vifListDecision } from '../../src/domain/vif-list';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const cache = (...vifs: Array<[string, string]>) => JSON.stringify(vifs.map(([id, address]) => ({ id, address, type: 'ovs', network: { subnets: [] } })));

describe('parseNetworkInfo', () => {
  it('reads the id and address of each VIF, in order', () => {
    expect(parseNetworkInfo(cache([B, 'fa:16:3e:00:00:02'], [A, 'fa:16:3e:00:00:01']))).toEqual([
      { id: B, address: 'fa:16:3e:00:00:02' },
      { id: A, address: 'fa:16:3e:00:00:01' },
    ]);
  });

  it('reads NULL, an empty string of VIFs and an empty array as no VIFs', () => {
    expect(parseNetworkInfo(null)).toEqual([]);
    expect(parseNetworkInfo('[]')).toEqual([]);
    expect(parseNetworkInfo(' [ ] ')).toEqual([]);
  });

  it('refuses what Nova cannot turn into VIF rows', () => {
    for (const text of ['', '[{"id": ', 'null', '{}', '"x"', '[1]', '[null]', '[{"address": "m"}]', `[{"id": "${A}"}]`, `[{"id": 5, "address": "m"}]`, `[{"id": "${A}", "address": null}]`, `[{"id": "${'x'.repeat(37)}", "address": "m"}]`, `[{"id": "${A}", "address": "${'m'.repeat(250)}"}]`]) {
      expect([text, parseNetworkInfo(text)]).toEqual([text, undefined]);
    }
  });
});

describe('vifListDecision', () => {
  const live = (...vifs: Array<[string, string | null]>) => vifs.map(([uuid, tag]) => ({ uuid, tag }));

  it('leaves an instance alone whose VIFs are the cache\'s, in order, or whose cache is empty', () => {
    expect(vifListDecision(cache([A, 'm1'], [B, 'm2']), live([A, null], [B, 't']))).toEqual({ kind: 'nothing' });
    expect(vifListDecision('[]', live([A, null]))).toEqual({ kind: 'nothing' });
    expect(vifListDecision(null, [])).toEqual({ kind: 'nothing' });
  });

  it('never rebuilds an instance with more live VIFs than its cache, nor one whose cache it cannot read', () => {
    expect(vifListDecision(cache([A, 'm1']), live([A, null], [B, null]))).toEqual({ kind: 'unmigratable', reason: 'more-vifs-than-cache' });
    expect(vifListDecision('[{', [])).toEqual({ kind: 'unmigratable', reason: 'network-info-unreadable' });
  });

  it("rebuilds in cache order, address '<address>/<id>', the tag of the first live VIF with the same uuid", () => {
    const rebuild = { kind: 'rebuild', vifs: [{ uuid: A, address: `m1/${A}`, tag: 'first' }, { uuid: B, address: `m2/${B}`, tag: null }] };
    expect(vifListDecision(cache([A, 'm1'], [B, 'm2']), live([A, 'first'], [A, 'again']))).toEqual(rebuild);
    expect(vifListDecision(cache([A, 'm1'], [B, 'm2']), live([B, null], [A, 'first']))).toEqual(rebuild);
    expect(vifListDecision(cache([A, 'm1'], [B, 'm2']), [{ uuid: A, tag: 'first' }])).toEqual(rebuild);
  });
});
