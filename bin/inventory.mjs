#!/usr/bin/env node
// `npx inventory …`: the CLI (bin/cli.ts), run through tsx's loader.
// The AWS SDK prints a multi-line warning about its future Node.js requirement on every command on
// Node 20; the README states the supported range, so the CLI keeps its output free of it. It must be
// set before the SDK loads (it is imported by cli.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { register } = await import('tsx/esm/api');

register();
await import('./cli.ts');
