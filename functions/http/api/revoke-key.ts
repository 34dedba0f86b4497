import { defineHandler } from '#edge/http.ts';
import { keysRevoke } from '#routes';
import { revokeKeyFor } from '#core/keys.ts';

export const handler = defineHandler(keysRevoke)(async ({ actor, params }) => {
  const { tenant: _tenant, ...data } = await revokeKeyFor(actor, params.id);
  return { data };
});
