import { defineHandler } from '#edge/http.ts';

export const handler = defineHandler('meta.health', async () => ({ status: 'ok' }));
