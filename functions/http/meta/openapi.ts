import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { openApiDocument } from '#edge/openapi.ts';

let doc: ReturnType<typeof openApiDocument> | undefined;
export const handler = defineHandler(route['meta.openapi'])(async () => (doc ??= openApiDocument()));
