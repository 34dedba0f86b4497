import { defineHandler } from '#edge/http.ts';
import { revokeKeyFor } from '#core/keys.ts';

export const handler = defineHandler('keys.revoke', async ({ actor, params }) => {
  const { tenant: _tenant, ...data } = await revokeKeyFor(actor, params.id);
  return { data };
});
