import { defineHandler } from '#edge/http.ts';
import { inventoryBulk } from '#routes';
import { bulkDryRun, bulkReplay, bulkUpdate } from '#core/bulk.ts';

// keyed: the first transaction commits the Idempotency-Key's claim and every transaction records
// its rows; a retry whose answer was not kept answers from that record and runs nothing again.
// A dry run writes nothing: its key is not claimed (no record, no replay).
export const handler = defineHandler(inventoryBulk)(
  async ({ actor, body, headers }) => {
    if (body.dry_run) return { data: (await bulkDryRun(actor, body.updates)).data };
    const { data } = await bulkUpdate(actor, body.updates, headers['idempotency-key']);
    return { data };
  },
  {
    replay: ({ actor, body, headers }) => bulkReplay(actor, body.updates, headers['idempotency-key']!),
    changesNothing: ({ body }) => body.dry_run === true,
  },
);
