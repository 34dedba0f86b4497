import { defineHandler } from '#edge/http.ts';
import { openApiDocument } from '#edge/openapi.ts';

let doc: unknown;
export const handler = defineHandler('meta.openapi', async () => (doc ??= openApiDocument()));
