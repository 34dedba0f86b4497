import { defineHandler } from '#edge/http.ts';
import { metaHealth } from '#routes';

export const handler = defineHandler(metaHealth)(async () => ({ status: 'ok' }));
