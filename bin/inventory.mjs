#!/usr/bin/env node
// `npx inventory …`: the CLI (bin/cli.ts), run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
