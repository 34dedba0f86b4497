/**
 * `GET /docs/{file}`: the files of the API reference page (docs.ts). Swagger UI's bundle and style
 * come from the `swagger-ui-dist` package: deployed, the stack copies them beside this function's
 * bundle (route table: `assets`), so its code bundle stays small; locally they are read from
 * node_modules. Files are read once per container and kept in memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineHandler } from '#edge/http.ts';
import { metaDocsAsset } from '#routes';
import { DomainError } from '#core/errors.ts';

/**
 * Swagger UI's start-up: this service's document, try-it-out on, the key kept across reloads, the
 * filter box (operations by tag) on. What a first click sends is the document's: its body example,
 * required parameters; optional filters and the Idempotency-Key are left empty there.
 */
const INIT_JS = `(function () {
  var el = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: el.getAttribute('data-openapi'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    tryItOutEnabled: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    docExpansion: 'list',
    filter: true,
    defaultModelsExpandDepth: 0,
  });
})();
`;
const DOCS_CSS = 'body{margin:0}.swagger-ui .info{margin:24px 0}\n';

const TYPES: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'docs.js': 'text/javascript; charset=utf-8',
  'docs.css': 'text/css; charset=utf-8',
};

/** Files from swagger-ui-dist: beside the bundle when deployed, else from node_modules. */
export const DOCS_ASSETS = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const;

const cache = new Map<string, string>();
function packaged(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    const beside = join(dirname(fileURLToPath(import.meta.url)), file);
    const path = existsSync(beside) ? beside : createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`);
    // the bundle ends with a source-map comment for a file that is not served
    text = readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$|\/\*# sourceMappingURL=\S+ \*\/\s*$/, '\n');
    cache.set(file, text);
  }
  return text;
}

export const handler = defineHandler(metaDocsAsset)(async (req) => {
  const file = req.params.file as string;
  if (!TYPES[file]) throw new DomainError('NOT_FOUND', `No docs file ${file}`);
  const body = file === 'docs.js' ? INIT_JS : file === 'docs.css' ? DOCS_CSS : packaged(file);
  return {
    body,
    raw: true,
    headers: { 'content-type': TYPES[file]!, 'cache-control': 'public, max-age=86400' },
  };
});
