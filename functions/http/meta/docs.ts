import { defineHandler } from '#edge/http.ts';
import { metaDocs } from '#routes';
import type { Request } from '#edge/http.ts';

/**
 * The API reference: Swagger UI rendering this service's own OpenAPI document, with try-it-out
 * and a Bearer key. Every asset comes from the sibling route `GET /docs/{file}` (docs-asset.ts),
 * so viewing it asks no other host for anything.
 */
const page = (base: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inventory API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/docs/swagger-ui.css">
<link rel="stylesheet" href="${base}/docs/docs.css">
</head><body>
<div id="swagger-ui" data-openapi="${base}/api/openapi.json"><noscript>The API reference needs JavaScript; the document itself is at <a href="${base}/api/openapi.json">/api/openapi.json</a>.</noscript></div>
<script src="${base}/docs/swagger-ui-bundle.js"></script>
<script src="${base}/docs/docs.js"></script>
</body></html>`;

/** The path before `/docs` (a stage or a base path mapping), so the page works under any prefix. */
function basePath(req: Request): string {
  const raw = req.event.rawPath ?? '/docs';
  return raw.replace(/\/docs\/?$/, '').replace(/[^A-Za-z0-9/_.~-]/g, '');
}

export const handler = defineHandler(metaDocs)(async (req) => ({
  body: page(basePath(req)),
  raw: true,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'public, max-age=300',
    // scripts and styles from this API only; Swagger UI sets inline styles and data: images;
    // try-it-out calls this API (connect-src 'self')
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  },
}));
