import { newId } from '../../functions/core/ids.ts';
import { keys } from '../../functions/store/keys.ts';

describe('every key of the table', () => {
  test('starts with the tenant, in the table and in every index', () => {
    const t = 'acme';
    let checked = 0;
    for (const [name, build] of Object.entries(keys)) {
      // the documented exception: an index listing tenant ids for the per-tenant scheduled jobs
      if (typeof build !== 'function' || name === 'tenantDirectory') continue;
      const out = (build as (...a: string[]) => unknown)(t, 'x1', 'x2', 'x3');
      // the reservation shard is a number, not a key
      if (typeof out === 'number') continue;
      const values =
        typeof out === 'string'
          ? [out]
          : Array.isArray(out)
            ? (out as string[]) // every partition of a sharded index
            : Object.entries(out as Record<string, string>)
                .filter(([k]) => k.endsWith('PK'))
                .map(([, v]) => v);
      for (const v of values) {
        expect(`${name}: ${v}`).toMatch(new RegExp(`^${name}: T#${t}#`));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  test('one tenant cannot address another by crafting ids', () => {
    // ids are validated to [A-Za-z0-9_.:-] at the edge, so a '#' can never shift a key into another tenant
    expect(keys.item('a', 'b').PK).not.toBe(keys.item('a#T#b', '').PK);
  });
});

describe('the reservation index shards (GSI1 T#t#RES#<h>, GSI3 T#t#EXP#<h>)', () => {
  const { RESERVATION_INDEX_SHARDS: N, reservationShard } = keys;

  test('a reservation id always has the same shard: FNV-1a 32-bit of the id, mod 16', () => {
    expect(N).toBe(16);
    // FNV-1a of "" is the offset basis 0x811c9dc5, of "a" 0xe40c292c (the published test vectors)
    expect(reservationShard('')).toBe(0x811c9dc5 % 16);
    expect(reservationShard('a')).toBe(0xe40c292c % 16);
    // pinned: a different hash would leave every row written so far in a shard readers do not query
    expect(['res_1', 'res_01J8ZQ6M0V4YB7W3K9T2D5XH1C', 'res_01J8ZQ6M0V4YB7W3K9T2D5XH1D'].map(reservationShard)).toEqual([9, 6, 15]);
    const rid = newId('res');
    // both indexes of one reservation are in the same shard, whatever the item or the expiry
    expect(keys.reservationIndex('acme', 'iitem_1', rid).GSI1PK).toBe(`T#acme#RES#${reservationShard(rid)}`);
    expect(keys.reservationIndex('acme', 'iitem_2', rid).GSI1PK).toBe(`T#acme#RES#${reservationShard(rid)}`);
    expect(keys.reservationExpiryIndex('acme', '2030-01-01T00:00:00.000Z', rid).GSI3PK).toBe(`T#acme#EXP#${reservationShard(rid)}`);
  });

  test('1,600 generated reservation ids land in all 16 shards, none with more than 2.5× its share', () => {
    const perShard = new Array<number>(N).fill(0);
    for (let i = 0; i < 1600; i++) {
      const h = reservationShard(newId('res'));
      expect(Number.isInteger(h) && h >= 0 && h < N).toBe(true);
      perShard[h]!++;
    }
    expect(perShard.filter((n) => n > 0)).toHaveLength(N);
    expect(Math.max(...perShard)).toBeLessThanOrEqual(2.5 * (1600 / N));
  });

  test('ids made in the same millisecond (one ULID time prefix) spread too', () => {
    const prefix = 'res_01J8ZQ6M0V';
    const shards = new Set(Array.from({ length: 160 }, (_, i) => reservationShard(`${prefix}${String(i).padStart(16, '0')}`)));
    expect(shards.size).toBe(N);
  });

  test('readers query the legacy unsharded partition and all 16 shards', () => {
    expect(keys.reservationsPartitions('acme')).toEqual(['T#acme#RES', ...Array.from({ length: 16 }, (_, h) => `T#acme#RES#${h}`)]);
    expect(keys.expiriesPartitions('acme')).toEqual(['T#acme#EXP', ...Array.from({ length: 16 }, (_, h) => `T#acme#EXP#${h}`)]);
  });
});
