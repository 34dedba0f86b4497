import { defineHandler } from '#edge/http.ts';
import { inventoryBulk } from '#routes';
import { bulkReplay, bulkUpdate } from '#core/bulk.ts';

// keyed: the first transaction commits the Idempotency-Key's claim and every transaction records
// its rows; a retry whose answer was not kept answers from that record and runs nothing again
export const handler = defineHandler(inventoryBulk)(
  async ({ actor, body, headers }) => {
    const { data } = await bulkUpdate(actor, body.updates, headers['idempotency-key']);
    return { data };
  },
  { replay: ({ actor, body, headers }) => bulkReplay(actor, body.updates, headers['idempotency-key']!) },
);
