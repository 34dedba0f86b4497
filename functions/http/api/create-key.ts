import { defineHandler } from '#edge/http.ts';
import { keysCreate } from '#routes';
import { createKeyFor } from '#core/keys.ts';

export const handler = defineHandler(keysCreate)(async ({ actor, body }) => {
  const { tenant: _tenant, ...data } = await createKeyFor(actor, body);
  return { data };
});
