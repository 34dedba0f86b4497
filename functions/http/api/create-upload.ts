import { defineHandler } from '#edge/http.ts';
import { uploadsCreate } from '#routes';
import { createUpload } from '#core/uploads.ts';

/** Locally the file goes to the local runtime itself, at the address the client used. */
export const handler = defineHandler(uploadsCreate)(async ({ actor, body, headers }) =>
  createUpload(actor, body ?? {}, () => `${headers['x-forwarded-proto'] ?? 'http'}://${headers.host ?? '127.0.0.1:3000'}`),
);
