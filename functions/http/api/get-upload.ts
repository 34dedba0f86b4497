import { defineHandler } from '#edge/http.ts';
import { uploadsGet } from '#routes';
import { getUpload, uploadErrorsCsv } from '#core/uploads.ts';

export const handler = defineHandler(uploadsGet)(async ({ actor, params, query }) =>
  query.format === 'csv'
    ? { body: await uploadErrorsCsv(actor, params.id), raw: true, headers: { 'content-type': 'text/csv; charset=utf-8' } }
    : getUpload(actor, params.id),
);
