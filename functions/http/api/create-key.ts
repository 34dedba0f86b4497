import { defineHandler } from '#edge/http.ts';
import { keysCreate } from '#routes';
import { createdKeyReplay, createKeyFor } from '#core/keys.ts';

// the answer holds the secret: never stored with the Idempotency-Key's record; a replay answers the
// key's metadata with `key: null` and a note that the secret is shown once
export const handler = defineHandler(keysCreate)(
  async ({ actor, body }) => {
    const { tenant: _tenant, ...data } = await createKeyFor(actor, body);
    return { data };
  },
  {
    keepResponse: false,
    replay: ({ actor }, ref) => createdKeyReplay(actor, ref),
  },
);
