import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { revokeKeyFor } from '#core/keys.ts';

export const handler = defineHandler(route['keys.revoke'])(async ({ actor, params }) => {
  const { tenant: _tenant, ...data } = await revokeKeyFor(actor, params.id);
  return { data };
});
