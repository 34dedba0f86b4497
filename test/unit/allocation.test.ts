import { plan, summedDemand } from '../../functions/core/allocation.ts';
import { holdActions, MAX_HOLD_ACTIONS } from '../../functions/store/holds.ts';
import { MAX_HOLD_LINES } from '../../functions/core/schemas-holds.ts';
import type { PlanInput, PlanLine } from '../../functions/core/allocation.ts';
import { consumption } from '../../functions/core/holds.ts';
import type { Hold } from '../../functions/store/holds.ts';
import { levelDrifts } from '../../functions/core/reconcile.ts';

const sku = (index: number, iid: string, quantity: number, warehouse_id?: string): PlanLine => ({
  index,
  quantity,
  components: [{ inventory_item_id: iid, required_quantity: 1 }],
  warehouse_id,
});
const A = { id: 'wh_A', priority: 1 };
const B = { id: 'wh_B', priority: 0 };
const C = { id: 'wh_C', priority: 5 };

const base = (over: Partial<PlanInput>): PlanInput => ({ lines: [], warehouses: [A, B], allocatable: {}, strategy: 'priority', allowSplit: true, ...over });

describe('the hold planner', () => {
  test('priority: one line of 10 over A (6, priority 1) and B (5, priority 0) → 6 from A + 4 from B', () => {
    const p = plan(base({ lines: [sku(0, 'X', 10)], allocatable: { X: { wh_A: 6, wh_B: 5 } } }));
    expect(p).toEqual({
      ok: true,
      lines: [
        {
          index: 0,
          allocations: [
            { warehouse_id: 'wh_A', inventory_item_id: 'X', quantity: 6 },
            { warehouse_id: 'wh_B', inventory_item_id: 'X', quantity: 4 },
          ],
        },
      ],
    });
  });

  test('allow_split false: the same line is refused, naming it, because no single warehouse holds 10', () => {
    const p = plan(base({ lines: [sku(0, 'X', 10)], allocatable: { X: { wh_A: 6, wh_B: 5 } }, allowSplit: false }));
    expect(p).toMatchObject({ ok: false, shortfalls: [{ index: 0, requested: 10, allocatable: 6, reason: 'no_single_warehouse' }] });
  });

  test('fewest_warehouses: a 2-line order comes whole from the one warehouse that has both, though another has higher priority', () => {
    const p = plan(
      base({
        warehouses: [C, A, B],
        lines: [sku(0, 'X', 2), sku(1, 'Y', 3)],
        allocatable: { X: { wh_C: 10, wh_B: 2 }, Y: { wh_A: 10, wh_B: 3 } },
        strategy: 'fewest_warehouses',
      }),
    );
    expect(p.ok).toBe(true);
    if (p.ok) expect(p.lines.flatMap((l) => l.allocations.map((a) => a.warehouse_id))).toEqual(['wh_B', 'wh_B']);
    // under priority the same order is split over two warehouses
    const q = plan(
      base({ warehouses: [C, A, B], lines: [sku(0, 'X', 2), sku(1, 'Y', 3)], allocatable: { X: { wh_C: 10, wh_B: 2 }, Y: { wh_A: 10, wh_B: 3 } } }),
    );
    if (q.ok) expect(q.lines.flatMap((l) => l.allocations.map((a) => a.warehouse_id))).toEqual(['wh_C', 'wh_A']);
  });

  test('fewest_warehouses: among equally small sets the higher priority wins', () => {
    const p = plan(base({ warehouses: [A, B], lines: [sku(0, 'X', 2)], allocatable: { X: { wh_A: 5, wh_B: 5 } }, strategy: 'fewest_warehouses' }));
    if (!p.ok) throw new Error('expected a plan');
    expect(p.lines[0].allocations).toEqual([{ warehouse_id: 'wh_A', inventory_item_id: 'X', quantity: 2 }]);
  });

  test('most_stock: the warehouse with the most of the item first', () => {
    const p = plan(base({ lines: [sku(0, 'X', 3)], allocatable: { X: { wh_A: 4, wh_B: 9 } }, strategy: 'most_stock' }));
    if (!p.ok) throw new Error('expected a plan');
    expect(p.lines[0].allocations).toEqual([{ warehouse_id: 'wh_B', inventory_item_id: 'X', quantity: 3 }]);
  });

  test('kits: demand is summed over lines — [K × 3 (K = 2 × X), X × 2] needs 8 of X; with 7 the order is refused', () => {
    const lines: PlanLine[] = [{ index: 0, quantity: 3, components: [{ inventory_item_id: 'X', required_quantity: 2 }] }, sku(1, 'X', 2)];
    expect(summedDemand(lines)).toEqual({ X: 8 });
    const p = plan(base({ lines, allocatable: { X: { wh_A: 7 } } }));
    expect(p).toMatchObject({ ok: false, demand: { X: 8 }, shortfalls: [{ index: 1, requested: 2, allocatable: 1 }] });
    expect(plan(base({ lines, allocatable: { X: { wh_A: 8 } } })).ok).toBe(true);
  });

  test('a line pinned to a warehouse is served only there, before the others take from it', () => {
    const p = plan(base({ lines: [sku(0, 'X', 4), sku(1, 'X', 5, 'wh_B')], allocatable: { X: { wh_A: 3, wh_B: 6 } } }));
    if (!p.ok) throw new Error('expected a plan');
    expect(p.lines[1].allocations).toEqual([{ warehouse_id: 'wh_B', inventory_item_id: 'X', quantity: 5 }]);
    expect(p.lines[0].allocations).toEqual([
      { warehouse_id: 'wh_A', inventory_item_id: 'X', quantity: 3 },
      { warehouse_id: 'wh_B', inventory_item_id: 'X', quantity: 1 },
    ]);
  });

  test('unbounded backorders (Infinity) allocate anything at the first warehouse', () => {
    const p = plan(base({ lines: [sku(0, 'X', 1_000)], allocatable: { X: { wh_A: Infinity } } }));
    expect(p.ok).toBe(true);
  });

  test('the largest hold: 32 single-warehouse lines fit in 97 actions (+1 idempotency claim); 33 do not', () => {
    const allocs = (n: number) => Array.from({ length: n }, (_, i) => ({ warehouse_id: 'wh_A', inventory_item_id: `I${i}`, quantity: 1 }));
    expect(holdActions(allocs(32))).toBe(97);
    expect(holdActions(allocs(32))).toBeLessThanOrEqual(MAX_HOLD_ACTIONS);
    expect(holdActions(allocs(33))).toBeGreaterThan(MAX_HOLD_ACTIONS);
  });

  test('the most lines a hold may have (a product limit in core) leave room for the hold row, a level and an item check', () => {
    expect(MAX_HOLD_LINES).toBe(MAX_HOLD_ACTIONS - 3);
  });
});

describe('fulfilling a hold', () => {
  const hold: Hold = {
    id: 'hold_1',
    reference: 'o1',
    status: 'active',
    strategy: 'priority',
    allow_split: true,
    expires_at: '2999-01-01T00:00:00.000Z',
    created_by: 't',
    created_at: '',
    updated_at: '',
    lines: [
      {
        index: 0,
        sku: 'X',
        quantity: 10,
        fulfilled_quantity: 0,
        warehouse_id: null,
        components: [{ inventory_item_id: 'X', sku: 'X', required_quantity: 1 }],
        allocations: [
          { warehouse_id: 'A', inventory_item_id: 'X', quantity: 6, fulfilled_quantity: 0, reservation_id: 'r1' },
          { warehouse_id: 'B', inventory_item_id: 'X', quantity: 4, fulfilled_quantity: 0, reservation_id: 'r2' },
        ],
      },
    ],
  };

  test('a partial fulfil consumes the allocations in order, at their own warehouses', () => {
    const c = consumption(hold, [{ index: 0, quantity: 7 }]);
    expect(c.consumed.map((x) => [x.allocation.warehouse_id, x.take])).toEqual([
      ['A', 6],
      ['B', 1],
    ]);
    expect(c.status).toBe('active');
    expect(c.lines[0].fulfilled_quantity).toBe(7);
  });

  test('more than is left of a line is refused naming the field', () => {
    expect(() => consumption(hold, [{ index: 0, quantity: 11 }])).toThrow(/lines\.0\.quantity/);
    expect(() => consumption(hold, [{ index: 3, quantity: 1 }])).toThrow(/lines\.0\.index/);
  });
});

describe('reconcile drifts', () => {
  const level = {
    inventory_item_id: 'X',
    location_id: 'A',
    sku: 'X',
    stocked_quantity: 10,
    reserved_quantity: 3,
    safety_stock: 1,
    available_quantity: 6,
  } as any;
  test('a clean level has none; a reserved drift, an available drift and a ledger drift are each named', () => {
    expect(levelDrifts(level, 3, 10)).toEqual([]);
    expect(levelDrifts(level, 2, 10).map((d) => d.kind)).toEqual(['reserved']);
    expect(levelDrifts({ ...level, available_quantity: 5 }, 3, 10).map((d) => d.kind)).toEqual(['available']);
    expect(levelDrifts(level, 3, 9)).toEqual([expect.objectContaining({ kind: 'ledger', recorded: 10, expected: 9 })]);
  });
});
