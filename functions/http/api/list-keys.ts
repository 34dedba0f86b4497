import { defineHandler } from '#edge/http.ts';
import { keysList } from '#routes';
import { listKeys } from '#core/keys.ts';

export const handler = defineHandler(keysList)(async ({ actor }) => ({
  data: (await listKeys(actor.tenant)).map(({ tenant: _tenant, ...k }) => k),
}));
