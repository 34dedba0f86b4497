import { keys } from '../../functions/store/keys.ts';

describe('every key of the table', () => {
  test('starts with the tenant, in the table and in every index', () => {
    const t = 'acme';
    let checked = 0;
    for (const [name, build] of Object.entries(keys)) {
      // the documented exception: an index listing tenant ids for the per-tenant scheduled jobs
      if (typeof build !== 'function' || name === 'tenantDirectory') continue;
      const out = (build as (...a: string[]) => unknown)(t, 'x1', 'x2', 'x3');
      const values = typeof out === 'string' ? [out] : Object.entries(out as Record<string, string>).filter(([k]) => k.endsWith('PK')).map(([, v]) => v);
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
