import { availabilityFloor, levelStatus } from '../../functions/core/model.ts';
import { inventoryQuantity } from '../../functions/core/variants.ts';
import { generateKey, keyPrefix, tenantOfKey } from '../../functions/core/api-keys.ts';
import { newId, ulid } from '../../functions/core/ids.ts';

describe('level status (the contract)', () => {
  test.each([
    [0, 0, 0, 'out_of_stock'],
    [-3, 0, 0, 'out_of_stock'],
    [5, 5, 10, 'critical'],
    [6, 5, 10, 'low'],
    [10, 5, 10, 'low'],
    [11, 5, 10, 'normal'],
    [1, 0, 0, 'normal'],
  ])('available %i with safety stock %i and reorder level %i is %s', (available, safety, reorder, status) => {
    expect(levelStatus(available, safety, reorder)).toBe(status);
  });

  test("the inventory family's example totals are normal: available 449, safety stock 15", () => {
    expect(levelStatus(449, 15, 0)).toBe('normal');
  });
});

describe('availability floor', () => {
  test('without backorders nothing below zero may be reserved', () => {
    expect(availabilityFloor({ allow_backorder: false, backorder_limit: 7 })).toBe(0);
  });
  test('a backorder limit lets available go down to minus the limit', () => {
    expect(availabilityFloor({ allow_backorder: true, backorder_limit: 7 })).toBe(-7);
  });
  test('backorders without a limit have no floor', () => {
    expect(availabilityFloor({ allow_backorder: true, backorder_limit: null })).toBeNull();
  });
});

describe("a variant's inventory_quantity (Medusa)", () => {
  test('is the minimum over linked items of floor(available / required)', () => {
    expect(
      inventoryQuantity([
        { available: 10, required: 3 },
        { available: 100, required: 1 },
      ]),
    ).toBe(3);
  });
  test('is 0 with no links and never negative', () => {
    expect(inventoryQuantity([])).toBe(0);
    expect(inventoryQuantity([{ available: -4, required: 1 }])).toBe(0);
  });
});

describe('API keys', () => {
  test('carry their tenant, so the lookup key starts with it', () => {
    const key = generateKey('acme-eu');
    expect(tenantOfKey(key)).toBe('acme-eu');
    expect(key.length).toBeGreaterThanOrEqual(4 + 7 + 1 + 32);
  });
  test('a key of another shape names no tenant', () => {
    expect(tenantOfKey('secret')).toBeUndefined();
    expect(tenantOfKey('inv_ACME_abcdefghijklmnopq')).toBeUndefined();
    expect(tenantOfKey('inv_acme_short')).toBeUndefined();
  });
  test('the listed prefix does not reveal the secret', () => {
    const key = generateKey('acme');
    const prefix = keyPrefix(key);
    expect(key.startsWith(prefix)).toBe(true);
    expect(key.length - prefix.length).toBeGreaterThanOrEqual(28);
  });
});

describe('ids', () => {
  test('sort by creation time and do not repeat', () => {
    const a = ulid(1_700_000_000_000);
    const b = ulid(1_700_000_000_001);
    expect(a < b).toBe(true);
    const many = new Set(Array.from({ length: 10_000 }, () => newId('res')));
    expect(many.size).toBe(10_000);
  });
});
