/**
 * Handlers are typed by their routes' schemas. The `@ts-expect-error` lines below are the proof:
 * `npm run typecheck` (part of `npm test`) fails if any of them stops being an error — a wrong
 * route id, a misspelt input field, a reply the response schema does not allow. The tests then
 * check at run time that what the types promise is what a handler gets.
 */
import { defineHandler } from '../../functions/edge/http.ts';
import type { BodyOf, ParamsOf, QueryOf, ResponseOf } from '../../functions/edge/http.ts';
import { route, routes } from '../../functions/routes.ts';
import type { RouteId } from '../../functions/routes.ts';
import type { NewReservation } from '../../functions/core/reservations.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/** Compile-time equality: `Equal<A, B>` is `true` only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typeIs = <T extends true>(): T => true as T;

// ---- a wrong route id does not type-check ----
// @ts-expect-error -- no route 'admin.reservations.crate'
const misspelt = route['admin.reservations.crate'];
// @ts-expect-error -- a RouteId is one of the table's ids
const notAnId: RouteId = 'admin.reservation.create';

// ---- inputs come from the route's schemas ----
type Create = (typeof route)['admin.reservations.create'];
typeIs<Equal<BodyOf<Create>, NewReservation>>();
typeIs<Equal<BodyOf<Create>['quantity'], number>>();
typeIs<Equal<ParamsOf<(typeof route)['admin.levels.update']>, { id: string; location_id: string }>>();
typeIs<Equal<QueryOf<(typeof route)['admin.items.list']>['limit'], number>>();
// a route without a body gets none
typeIs<Equal<BodyOf<(typeof route)['admin.reservations.get']>, undefined>>();

const seen: unknown[] = [];
// @ts-expect-error -- the route has no path parameters
export type NoParams = ParamsOf<Create>['id'];

const createHandler = defineHandler(route['admin.reservations.create'])(async ({ body }) => {
  // @ts-expect-error -- the body has no field `qty`
  seen.push(body.qty);
  return {
    reservation: {
      id: 'res_1',
      inventory_item_id: body.inventory_item_id,
      location_id: body.location_id,
      quantity: body.quantity,
      line_item_id: null,
      description: null,
      metadata: null,
      expires_at: null,
      created_by: 'test',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    },
  };
});

// ---- the reply is checked against the response schema ----
defineHandler(route['admin.items.delete'])(async ({ params }) =>
  // @ts-expect-error -- `deleted` must be true
  ({ id: params.id, object: 'inventory-item', deleted: false }),
);
defineHandler(route['meta.health'])(
  // @ts-expect-error -- the health route answers { status: 'ok' }, not a reservation
  async () => ({ reservation: null }),
);
defineHandler(route['admin.reservations.get'])(
  // @ts-expect-error -- a reservation's quantity is a number (and the other fields are missing)
  async () => ({ reservation: { id: 'res_1', quantity: 'three' } }),
);
// a raw reply (CSV, HTML) is a string; a JSON one is what the schema accepts
defineHandler(route['meta.health'])(async () => ({ body: 'ok', raw: true }));
defineHandler(route['meta.health'])(async () => ({ body: { status: 'ok' }, headers: { 'x-a': 'b' } }));
defineHandler(route['meta.health'])(
  // @ts-expect-error -- a JSON reply's body is still checked
  async () => ({ body: { status: 'fine' } }),
);
typeIs<Equal<ResponseOf<(typeof route)['meta.health']>, { status: 'ok' }>>();

const event = (body: unknown) =>
  ({
    version: '2.0',
    routeKey: 'POST /admin/reservations',
    rawPath: '/admin/reservations',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', authorizer: { lambda: { tenant: 't1', key_id: 'k1', key_name: 'test', scopes: 'inventory:write' } } },
  }) as never;

describe('handlers typed by their routes', () => {
  test('every route of the table is reachable by its id, as the same object', () => {
    expect(Object.keys(route).sort()).toEqual(routes.map((r) => r.id).sort());
    for (const r of routes) expect(route[r.id as RouteId]).toBe(r);
    expect(misspelt).toBeUndefined();
    expect(notAnId).not.toBe(route['admin.reservations.create'].id);
  });

  test('a handler bound to no route is refused when its module loads', () => {
    expect(() => defineHandler(misspelt)).toThrow('no such route');
  });

  test("the handler gets the body as the route's schema parsed it, and its reply is sent", async () => {
    const res = await createHandler(event({ inventory_item_id: 'iitem_1', location_id: 'wh_1', quantity: 3 }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string).reservation).toMatchObject({ inventory_item_id: 'iitem_1', location_id: 'wh_1', quantity: 3 });
    expect(seen).toEqual([undefined]); // the schema strips what it does not declare: `body.qty` is undefined
  });

  test('a body its schema refuses never reaches the handler: 4xx naming the field', async () => {
    seen.length = 0;
    const res = await createHandler(event({ inventory_item_id: 'iitem_1', quantity: 3 }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('location_id');
    expect(seen).toEqual([]);
  });
});
