import { defineHandler } from '#edge/http.ts';
import { uploadsGet } from '#routes';
import { getUpload, uploadChangesCsv, uploadErrorsCsv } from '#core/uploads.ts';

const csv = (body: string) => ({ body, raw: true as const, headers: { 'content-type': 'text/csv; charset=utf-8' } });

export const handler = defineHandler(uploadsGet)(async ({ actor, params, query }) =>
  query.format === 'csv'
    ? csv(query.part === 'changes' ? await uploadChangesCsv(actor, params.id) : await uploadErrorsCsv(actor, params.id))
    : getUpload(actor, params.id),
);
