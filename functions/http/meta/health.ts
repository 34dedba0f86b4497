import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';

export const handler = defineHandler(route['meta.health'])(async () => ({ status: 'ok' }));
