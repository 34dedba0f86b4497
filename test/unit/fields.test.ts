/** Medusa's `fields` (functions/core/fields.ts): defaults, replace, add, remove, relations. */
import { DomainError } from '../../functions/core/errors.ts';
import {
  fieldTree,
  ITEM_DEFAULTS,
  ITEM_MODEL,
  RESERVATION_DEFAULTS,
  RESERVATION_MODEL,
  select,
  showsField,
  showsRelation,
} from '../../functions/core/fields.ts';

const item = {
  id: 'iitem_1',
  sku: 'S',
  title: 'T',
  metadata: { a: 1 },
  stocked_quantity: 3,
  reserved_quantity: 1,
  location_levels: [{ id: 'ilev_1', location_id: 'wh_1', stocked_quantity: 3 }],
};
const show = (fields?: string) => select(item, fieldTree(ITEM_DEFAULTS, fields, ITEM_MODEL), ITEM_MODEL);

test('no fields: the defaults (every field, the aggregates and the levels)', () => {
  expect(show()).toEqual(item);
});

test("a plain entry replaces the defaults; id always stays (a relation's too); *relation keeps the relation among them", () => {
  expect(show('sku')).toEqual({ id: 'iitem_1', sku: 'S' });
  expect(show('id,sku,*location_levels')).toEqual({ id: 'iitem_1', sku: 'S', location_levels: item.location_levels });
  expect(show('sku,location_levels.stocked_quantity')).toEqual({ id: 'iitem_1', sku: 'S', location_levels: [{ id: 'ilev_1', stocked_quantity: 3 }] });
});

test('+ adds, - removes (a field or a relation); an unencoded + (a space) is an add', () => {
  expect(show('-location_levels,-metadata')).toEqual({ id: 'iitem_1', sku: 'S', title: 'T', stocked_quantity: 3, reserved_quantity: 1 });
  expect(show('-id')).toHaveProperty('id');
  const tree = fieldTree(RESERVATION_DEFAULTS, ' inventory_item.location_levels', RESERVATION_MODEL);
  expect(showsRelation(tree, 'inventory_item.location_levels')).toBe(true);
  expect(showsRelation(fieldTree(RESERVATION_DEFAULTS, undefined, RESERVATION_MODEL), 'inventory_item.location_levels')).toBe(false);
  expect(showsRelation(fieldTree(RESERVATION_DEFAULTS, '+inventory_item.*', RESERVATION_MODEL), 'inventory_item')).toBe(true);
  expect(showsField(fieldTree(ITEM_DEFAULTS, 'id,sku', ITEM_MODEL), 'stocked_quantity')).toBe(false);
});

test('a relation the record does not have is a 400 naming it', () => {
  expect(() => fieldTree(ITEM_DEFAULTS, '*variants', ITEM_MODEL)).toThrow(DomainError);
  expect(() => fieldTree(ITEM_DEFAULTS, 'inventory_item.sku', ITEM_MODEL)).toThrow(/inventory_item is not a relation/);
});
