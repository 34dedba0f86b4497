/**
 * `npm start`'s runtime as a reader runs it, in a child process (bin/local.ts), for the tests that
 * run a page's shell blocks against it: started with `env`, ready once GET /health answers 200
 * (at most 60 s), stopped with SIGTERM. Its console is kept for the error a failed start throws.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface LocalChild {
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startLocalChild(port: number, env: NodeJS.ProcessEnv): Promise<LocalChild> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bin/local.ts exited ${child.exitCode}:\n${output}`);
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`bin/local.ts not ready within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
