/** The query normaliser (functions/edge/query.ts): three array encodings read alike; unknown parameters refused. */
import { normaliseQuery, refuseUnknown } from '../../functions/edge/query.ts';
import { DomainError } from '../../functions/core/errors.ts';

test('x=a,b, x[]=a&x[]=b and x[0]=a&x[1]=b all read as the list "a,b"', () => {
  expect(normaliseQuery({ location_id: 'a,b' })).toEqual({ location_id: 'a,b' });
  expect(normaliseQuery({ 'location_id[]': 'a,b' })).toEqual({ location_id: 'a,b' }); // repeated `[]` arrives comma-joined
  expect(normaliseQuery({ 'location_id[0]': 'a', 'location_id[1]': 'b' })).toEqual({ location_id: 'a,b' });
  // indexed values in index order, whatever order they came in; with plain ones first
  expect(normaliseQuery({ 'x[1]': 'b', 'x[0]': 'a', x: 'z' })).toEqual({ x: 'z,a,b' });
  expect(normaliseQuery({ 'x[10]': 'k', 'x[2]': 'c' })).toEqual({ x: 'c,k' });
});

test('operator keys stay as they are; a nested array drops only its last index', () => {
  expect(normaliseQuery({ 'quantity[$gt]': '1', 'created_at[$gte]': '2026-01-01' })).toEqual({ 'quantity[$gt]': '1', 'created_at[$gte]': '2026-01-01' });
  expect(normaliseQuery({ 'location_levels[location_id][0]': 'w1', 'location_levels[location_id][1]': 'w2' })).toEqual({
    'location_levels[location_id]': 'w1,w2',
  });
  expect(normaliseQuery({ 'location_levels[location_id]': 'w1' })).toEqual({ 'location_levels[location_id]': 'w1' });
  expect(normaliseQuery({ limit: '5', q: undefined })).toEqual({ limit: '5' });
  expect(normaliseQuery(undefined)).toEqual({});
});

test('an undeclared parameter is a 400 VALIDATION_ERROR naming it (and what the route supports)', () => {
  expect(refuseUnknown({ limit: '1' }, ['limit', 'offset'])).toEqual({ limit: '1' });
  const err = (() => {
    try {
      refuseUnknown({ limit: '1', 'quantity[$gt]': '1', q: 'x' }, ['limit', 'offset']);
    } catch (e) {
      return e;
    }
  })() as DomainError;
  expect(err).toBeInstanceOf(DomainError);
  expect(err.status).toBe(400);
  expect(err.code).toBe('VALIDATION_ERROR');
  expect(err.details).toEqual([
    { field: 'quantity[$gt]', message: 'is not a supported query parameter of this route' },
    { field: 'q', message: 'is not a supported query parameter of this route' },
  ]);
  expect(err.message).toContain('supported here: limit, offset');
  expect(() => refuseUnknown({ fields: 'id' }, [])).toThrow('this route takes no query parameters');
});
