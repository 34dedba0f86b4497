/**
 * Medusa's official client, `@medusajs/js-sdk` 2.21.2, against the local API: its typed methods, its
 * own auth (`new Medusa({ apiKey })` sends `Authorization: Basic base64(key:)`) and its own query
 * encoding (`qs`: `x[0]=a&x[1]=b`, `quantity[$gt]=1`). The answers are read through the SDK's types
 * (`@medusajs/types`, compiled by `npm run typecheck`) and their values asserted.
 *
 * The whole flow goes through the SDK's typed methods, with no `client.fetch` and no route of our
 * own: levels are made with the item (`location_levels`) and by the batch routes, variants linked and
 * unlinked by `product.batchVariantInventoryItems`.
 */
import Medusa, { FetchError } from '@medusajs/js-sdk';
import type { HttpTypes } from '@medusajs/types';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
let sdk: Medusa;
beforeAll(async () => {
  api = await startApi();
  sdk = new Medusa({ baseUrl: api.url, apiKey: api.key });
});
afterAll(() => api.close());

/** The FetchError a refused SDK call throws (status and Medusa's message). */
async function refusal(call: Promise<unknown>): Promise<FetchError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof FetchError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

describe("the admin flow through the SDK's typed methods", () => {
  let location: HttpTypes.AdminStockLocation;
  let other: HttpTypes.AdminStockLocation;
  let item: HttpTypes.AdminInventoryItem;

  beforeAll(async () => {
    location = (await sdk.admin.stockLocation.create({ name: 'SDK Main', address: { address_1: 'Dock 1', country_code: 'US' } })).stock_location;
    other = (await sdk.admin.stockLocation.create({ name: 'SDK Second' })).stock_location;
    // the item with its first level, in one write
    item = (
      await sdk.admin.inventoryItem.create({
        sku: 'SDK-SHIRT',
        title: 'Premium T-Shirt',
        description: 'Organic cotton',
        weight: 210,
        origin_country: 'US',
        location_levels: [{ location_id: location.id, stocked_quantity: 100 }],
      })
    ).inventory_item;
    // the second level through the batch route
    const batch: HttpTypes.AdminBatchInventoryItemLocationLevelsResponse = await sdk.admin.inventoryItem.batchInventoryItemLocationLevels(item.id, {
      create: [{ location_id: other.id, stocked_quantity: 5 }],
    });
    expect(batch.created?.map((l) => [l.location_id, l.stocked_quantity, l.available_quantity])).toEqual([[other.id, 5, 5]]);
    expect([batch.updated, batch.deleted]).toEqual([[], []]);
  });

  test('stock locations: create, retrieve, list with name and q', async () => {
    expect(location).toMatchObject({ name: 'SDK Main', address: { address_1: 'Dock 1', country_code: 'US' } });
    const { stock_location } = await sdk.admin.stockLocation.retrieve(location.id);
    expect(stock_location.id).toBe(location.id);
    const byName = await sdk.admin.stockLocation.list({ name: 'SDK Main' });
    expect(byName.stock_locations.map((l) => l.id)).toEqual([location.id]);
    expect(byName.count).toBe(1);
    const byQ = await sdk.admin.stockLocation.list({ q: 'sdk', limit: 1, offset: 1 });
    expect(byQ).toMatchObject({ count: 2, limit: 1, offset: 1 });
    expect(byQ.stock_locations).toHaveLength(1);
    const { stock_location: renamed } = await sdk.admin.stockLocation.update(other.id, { name: 'SDK Second (renamed)' });
    expect(renamed.name).toBe('SDK Second (renamed)');
  });

  test('inventory items: retrieve with its levels, update, list with q (description too), sku and location_levels[location_id]', async () => {
    const { inventory_item } = await sdk.admin.inventoryItem.retrieve(item.id);
    expect(inventory_item).toMatchObject({ id: item.id, sku: 'SDK-SHIRT', weight: 210 });
    expect(inventory_item.location_levels?.map((l) => [l.location_id, l.stocked_quantity, l.available_quantity]).sort()).toEqual(
      [
        [location.id, 100, 100],
        [other.id, 5, 5],
      ].sort(),
    );
    const updated = await sdk.admin.inventoryItem.update(item.id, { mid_code: 'MID-1', weight: 220 });
    expect(updated.inventory_item).toMatchObject({ mid_code: 'MID-1', weight: 220 });

    await sdk.admin.inventoryItem.create({ sku: 'SDK-MUG', title: 'Mug' });
    const byDescription = await sdk.admin.inventoryItem.list({ q: 'ORGANIC' });
    expect(byDescription.inventory_items.map((i) => i.id)).toEqual([item.id]);
    expect((await sdk.admin.inventoryItem.list({ sku: 'SDK-MUG' })).inventory_items.map((i) => i.sku)).toEqual(['SDK-MUG']);
    expect((await sdk.admin.inventoryItem.list({ sku: ['SDK-MUG', 'SDK-SHIRT'] })).inventory_items.map((i) => i.sku).sort()).toEqual(['SDK-MUG', 'SDK-SHIRT']);
    // qs sends location_levels[location_id][0]=…
    const stockedAt = await sdk.admin.inventoryItem.list({ location_levels: { location_id: [other.id] } });
    expect(stockedAt).toMatchObject({ count: 1, offset: 0, limit: 15 });
    expect(stockedAt.inventory_items[0]!.id).toBe(item.id);
    const page = await sdk.admin.inventoryItem.list({ q: 'sdk-', limit: 1, offset: 1 });
    expect(page).toMatchObject({ count: 2, limit: 1, offset: 1 });
  });

  test('levels: listLevels pages and filters by location_id; batches update and remove levels across items', async () => {
    const all: HttpTypes.AdminInventoryLevelListResponse = await sdk.admin.inventoryItem.listLevels(item.id);
    expect(all).toMatchObject({ count: 2, offset: 0, limit: 50 });
    expect(all.inventory_levels.map((l) => l.location_id).sort()).toEqual([location.id, other.id].sort());
    const at = await sdk.admin.inventoryItem.listLevels(item.id, { location_id: [other.id] });
    expect(at.inventory_levels.map((l) => [l.location_id, l.stocked_quantity])).toEqual([[other.id, 5]]);
    const page = await sdk.admin.inventoryItem.listLevels(item.id, { limit: 1, offset: 1 });
    expect(page).toMatchObject({ count: 2, limit: 1, offset: 1 });
    expect(page.inventory_levels).toHaveLength(1);

    // across items: a spare item stocked and changed, then removed (force: it still has stock)
    const spare = (await sdk.admin.inventoryItem.create({ sku: 'SDK-SPARE' })).inventory_item;
    const made = await sdk.admin.inventoryItem.batchInventoryItemsLocationLevels({
      create: [{ inventory_item_id: spare.id, location_id: other.id, stocked_quantity: 4 }],
    });
    const levelId = made.created?.[0]?.id as string;
    expect(made.created?.map((l) => [l.inventory_item_id, l.stocked_quantity])).toEqual([[spare.id, 4]]);
    const changed = await sdk.admin.inventoryItem.batchInventoryItemsLocationLevels({
      update: [{ inventory_item_id: spare.id, location_id: other.id, stocked_quantity: 6, incoming_quantity: 1 }],
    });
    expect(changed.updated?.map((l) => [l.stocked_quantity, l.incoming_quantity])).toEqual([[6, 1]]);
    // incoming units are never dropped: 400 not_allowed, nothing removed
    const refused = await refusal(sdk.admin.inventoryItem.batchInventoryItemsLocationLevels({ delete: [levelId], force: true }));
    expect(refused.status).toBe(400);
    await sdk.admin.inventoryItem.batchInventoryItemsLocationLevels({ update: [{ inventory_item_id: spare.id, location_id: other.id, incoming_quantity: 0 }] });
    const removed = await sdk.admin.inventoryItem.batchInventoryItemsLocationLevels({ delete: [levelId], force: true });
    expect(removed.deleted).toEqual([levelId]);
    expect((await sdk.admin.inventoryItem.retrieve(spare.id)).inventory_item.location_levels).toEqual([]);
    await sdk.admin.inventoryItem.delete(spare.id);
  });

  test('levels: updateLevel sets stocked and incoming; a negative quantity is 400 invalid_data', async () => {
    const { inventory_item } = await sdk.admin.inventoryItem.updateLevel(item.id, other.id, { stocked_quantity: 8, incoming_quantity: 2 });
    expect(inventory_item.location_levels?.find((l) => l.location_id === other.id)).toMatchObject({
      stocked_quantity: 8,
      incoming_quantity: 2,
      available_quantity: 8,
    });
    const negative = await refusal(sdk.admin.inventoryItem.updateLevel(item.id, other.id, { stocked_quantity: -1 }));
    expect(negative.status).toBe(400);
    expect(negative.message).toContain('stocked_quantity');
  });

  test('reservations: create, retrieve, update, list with filters in the SDK encoding, delete', async () => {
    const { reservation: two } = await sdk.admin.reservation.create({
      inventory_item_id: item.id,
      location_id: location.id,
      quantity: 2,
      line_item_id: 'line-item-id-1',
    });
    expect(two).toMatchObject({ inventory_item_id: item.id, location_id: location.id, quantity: 2, line_item_id: 'line-item-id-1' });
    const { reservation: one } = await sdk.admin.reservation.create({
      inventory_item_id: item.id,
      location_id: other.id,
      quantity: 1,
      description: 'test description',
    });
    expect((await sdk.admin.reservation.retrieve(one.id)).reservation).toMatchObject({ id: one.id, description: 'test description' });
    const { reservation: three } = await sdk.admin.reservation.update(two.id, { quantity: 3, description: 'Gift wrap' });
    expect(three).toMatchObject({ id: two.id, quantity: 3, description: 'Gift wrap' });

    const ids = async (query: HttpTypes.AdminGetReservationsParams) => (await sdk.admin.reservation.list(query)).reservations.map((r) => r.id).sort();
    expect(await ids({ inventory_item_id: [item.id] })).toEqual([two.id, one.id].sort());
    expect(await ids({ location_id: [other.id, 'wh_nowhere'] })).toEqual([one.id]);
    expect(await ids({ quantity: { $gt: 1 } })).toEqual([two.id]);
    expect(await ids({ created_at: { $gte: new Date(Date.parse(one.created_at as string)).toISOString() } })).toEqual([one.id]);
    expect(await ids({ description: 'test description' })).toEqual([one.id]);
    expect(await ids({ description: { $ilike: '%WRAP' } })).toEqual([two.id]);
    expect(await ids({ line_item_id: ['line-item-id-1'] })).toEqual([two.id]);
    expect(await ids({ created_by: ['test'] })).toEqual([two.id, one.id].sort());
    const list = await sdk.admin.reservation.list({ limit: 1 });
    expect(list).toMatchObject({ count: 2, limit: 1, offset: 0 });

    // more than is available: Medusa's 400 not_allowed
    const tooMany = await refusal(sdk.admin.reservation.create({ inventory_item_id: item.id, location_id: other.id, quantity: 1000 }));
    expect(tooMany.status).toBe(400);
    // q: the description (or the item's sku) contains, any case
    expect(await ids({ q: 'gift' })).toEqual([two.id]);
    // a filter this service does not take is refused, never ignored
    expect((await refusal(sdk.admin.reservation.list({ metadata: { a: 1 } } as HttpTypes.AdminGetReservationsParams))).status).toBe(400);

    const deleted = await sdk.admin.reservation.delete(one.id);
    expect(deleted).toEqual({ id: one.id, object: 'reservation', deleted: true });
    expect((await refusal(sdk.admin.reservation.retrieve(one.id))).status).toBe(404);
  });

  test('deleting a level with reservations is 400 not_allowed; without, the SDK gets { id, object, deleted, parent }', async () => {
    const stocked = (await sdk.admin.inventoryItem.create({ sku: 'SDK-LEVEL', location_levels: [{ location_id: other.id, stocked_quantity: 3 }] }))
      .inventory_item;
    const { reservation } = await sdk.admin.reservation.create({ inventory_item_id: stocked.id, location_id: other.id, quantity: 1 });
    const refused = await refusal(sdk.admin.inventoryItem.deleteLevel(stocked.id, other.id));
    expect(refused.status).toBe(400);
    expect(refused.message).toBe(`Cannot remove Inventory Level ${stocked.id} at Location ${other.id} because there are reservations at location`);
    const itemRefused = await refusal(sdk.admin.inventoryItem.delete(stocked.id));
    expect([itemRefused.status, itemRefused.message]).toEqual([
      400,
      `Cannot remove following inventory item(s) since they have reservations: [${stocked.id}].`,
    ]);

    // the batch refuses it the same way, and changes nothing of the batch
    const batchRefused = await refusal(
      sdk.admin.inventoryItem.batchInventoryItemLocationLevels(stocked.id, {
        create: [{ location_id: location.id, stocked_quantity: 9 }],
        delete: [other.id],
        force: true,
      }),
    );
    expect(batchRefused.status).toBe(400);
    expect(batchRefused.message).toContain('because there are reservations at location');
    expect((await sdk.admin.inventoryItem.listLevels(stocked.id)).inventory_levels.map((l) => l.stocked_quantity)).toEqual([3]);

    await sdk.admin.reservation.delete(reservation.id);
    const gone = await sdk.admin.inventoryItem.deleteLevel(stocked.id, other.id);
    expect(gone).toMatchObject({ object: 'inventory-level', deleted: true });
    expect(gone.parent).toMatchObject({ id: stocked.id, location_levels: [] });
    expect(await sdk.admin.inventoryItem.delete(stocked.id)).toEqual({ id: stocked.id, object: 'inventory-item', deleted: true });
  });

  test("variants: links made, changed and removed in batch; retrieveVariant shows the variant's inventory", async () => {
    const mug = (await sdk.admin.inventoryItem.create({ sku: 'SDK-MUG-2', location_levels: [{ location_id: location.id, stocked_quantity: 7 }] }))
      .inventory_item;
    // the SDK declares this answer as BatchResponse<AdminInventoryItem>; Medusa's route answers link definitions (its own type below)
    const linked = (await sdk.admin.product.batchVariantInventoryItems('prod_sdk', {
      create: [
        { variant_id: 'variant_sdk', inventory_item_id: item.id, required_quantity: 2 },
        { variant_id: 'variant_sdk', inventory_item_id: mug.id, required_quantity: 1 },
      ],
    })) as unknown as HttpTypes.AdminProductVariantInventoryBatchResponse;
    expect(linked.created).toEqual([
      { Product: { variant_id: 'variant_sdk' }, Inventory: { inventory_item_id: item.id }, data: { required_quantity: 2 } },
      { Product: { variant_id: 'variant_sdk' }, Inventory: { inventory_item_id: mug.id }, data: { required_quantity: 1 } },
    ]);
    const { variant } = await sdk.admin.product.retrieveVariant('prod_sdk', 'variant_sdk');
    expect(variant).toMatchObject({ id: 'variant_sdk', product_id: 'prod_sdk' });
    expect(variant.inventory_items?.map((l) => [l.inventory_item_id, l.required_quantity]).sort()).toEqual(
      [
        [item.id, 2],
        [mug.id, 1],
      ].sort(),
    );
    // min(floor((97 + 8) / 2), floor(7 / 1)): 100 − 3 reserved at the first location, 8 at the second
    expect(variant.inventory_quantity).toBe(7);

    await sdk.admin.product.batchVariantInventoryItems('prod_sdk', {
      update: [{ variant_id: 'variant_sdk', inventory_item_id: mug.id, required_quantity: 7 }],
      delete: [{ variant_id: 'variant_sdk', inventory_item_id: item.id }],
    });
    const after = (await sdk.admin.product.retrieveVariant('prod_sdk', 'variant_sdk')).variant;
    expect(after.inventory_items?.map((l) => [l.inventory_item_id, l.required_quantity])).toEqual([[mug.id, 7]]);
    expect(after.inventory_quantity).toBe(1);
    // the last link removed: the variant stays, with no items
    await sdk.admin.product.batchVariantInventoryItems('prod_sdk', { delete: [{ variant_id: 'variant_sdk', inventory_item_id: mug.id }] });
    expect((await sdk.admin.product.retrieveVariant('prod_sdk', 'variant_sdk')).variant.inventory_items).toEqual([]);
  });

  test('stock locations: delete answers { id, object, deleted }', async () => {
    const spare = (await sdk.admin.stockLocation.create({ name: 'SDK Spare' })).stock_location;
    expect(await sdk.admin.stockLocation.delete(spare.id)).toEqual({ id: spare.id, object: 'stock_location', deleted: true });
  });
});

test('a key sent by the SDK keeps its scopes: a read-only key reads and is refused a write (403)', async () => {
  const readOnly = new Medusa({ baseUrl: api.url, apiKey: await api.keyWith(['inventory:read'], 'sdk read-only') });
  expect((await readOnly.admin.stockLocation.list()).count).toBeGreaterThanOrEqual(0);
  expect((await refusal(readOnly.admin.stockLocation.create({ name: 'nope' }))).status).toBe(403);
  const nobody = new Medusa({ baseUrl: api.url, apiKey: `inv_${api.tenant}_notakeynotakeynotakey` });
  expect((await refusal(nobody.admin.stockLocation.list())).status).toBe(401);
});
