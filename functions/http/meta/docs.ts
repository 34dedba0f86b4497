import { defineHandler } from '#edge/http.ts';

/** A self-contained page (no CDN): it fetches the OpenAPI document and lists every operation. */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inventory API</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:70rem}code{background:#f4f4f4;padding:0 .3em}
.op{border-top:1px solid #ddd;padding:.6rem 0}.m{display:inline-block;width:4.5rem;font-weight:600}pre{background:#f8f8f8;padding:.5rem;overflow:auto;max-height:20rem}</style></head>
<body><h1>Inventory API</h1><p>Machine-readable: <a href="api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Send your key as <code>Authorization: Bearer &lt;key&gt;</code>.</p>
<div id="ops">Loading…</div>
<script>
fetch(new URL('api/openapi.json', location.href.replace(/docs\\/?$/, ''))).then(r => r.json()).then(doc => {
  const ops = document.getElementById('ops'); ops.textContent = '';
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const d = document.createElement('details'); d.className = 'op';
    const s = document.createElement('summary');
    s.innerHTML = '<span class="m"></span><code></code> — <span></span>';
    s.children[0].textContent = method.toUpperCase(); s.children[1].textContent = path; s.children[2].textContent = op.summary + (op.security && op.security.length ? ' (scope: ' + op['x-scope'] + ')' : '');
    const pre = document.createElement('pre'); pre.textContent = JSON.stringify({ parameters: op.parameters, requestBody: op.requestBody, responses: op.responses }, null, 2);
    d.append(s, pre); ops.append(d);
  }
});
</script></body></html>`;

export const handler = defineHandler('meta.docs', async () => ({
  body: PAGE,
  raw: true,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'public, max-age=300',
    // the page's own inline script and style, and fetches of the OpenAPI document; nothing else
    'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  },
}));
