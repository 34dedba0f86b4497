import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { listKeys } from '#core/keys.ts';

export const handler = defineHandler(route['keys.list'])(async ({ actor }) => ({
  data: (await listKeys(actor.tenant)).map(({ tenant: _tenant, ...k }) => k),
}));
