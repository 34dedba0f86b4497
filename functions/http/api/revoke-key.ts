import { defineHandler } from '#edge/http.ts';
import { revokeKey } from '#core/keys.ts';

export const handler = defineHandler('keys.revoke', async ({ actor, params }) => {
  const { tenant: _tenant, ...data } = await revokeKey(actor.tenant, params.id);
  return { data };
});
