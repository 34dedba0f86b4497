import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { createKeyFor } from '#core/keys.ts';

export const handler = defineHandler(route['keys.create'])(async ({ actor, body }) => {
  const { tenant: _tenant, ...data } = await createKeyFor(actor, body);
  return { data };
});
