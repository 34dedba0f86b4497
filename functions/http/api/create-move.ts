import { defineHandler } from '#edge/http.ts';
import { inventoryMoves } from '#routes';
import { moveUnits } from '#core/moves.ts';

export const handler = defineHandler(inventoryMoves)(async ({ actor, params, body }) => ({ data: await moveUnits(actor, params.sku, body) }));
