/**
 * The stack the benchmark runs against, started by the benchmark itself: DynamoDB Local in memory
 * (lib/local/dynamodb-local.ts, as `npm start` with INVENTORY_IN_MEMORY=1), the table from the
 * stack's definition, and the local runtime in a child Node process (bench/lib/server.ts) whose
 * DynamoDB client counts requests. The load generator and the raw baseline run in this process.
 */
import { fork, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import type { DynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { ensureTable } from '../../lib/local/table.ts';
import { startFrontFor } from '../../lib/local/dynamo-front.ts';
import type { DynamoFront } from '../../lib/local/dynamo-front.ts';
import { ROOT } from '../../lib/bundling.ts';
import type { Counters } from './server.ts';

export const BENCH_DIR = join(ROOT, 'bench');
/** Scratch space of a run (bundles, blobs, profiles): inside the work tree, so node_modules resolves. */
export const WORK_DIR = join(BENCH_DIR, '.work');

/** The environment of the service process: what bin/local.ts sets, plus the deployed authorizer cache. */
export function serviceEnv(endpoint: string, tableName: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    // the stack's default (lib/settings.ts: authorizerCacheTtl 60 s); npm start leaves it at 0
    AUTHORIZER_CACHE_TTL: '60',
    INVENTORY_BLOB_DIR: join(WORK_DIR, 'blobs'),
    INVENTORY_EVENTS_FILE: join(WORK_DIR, 'events.ndjson'),
  };
}

export interface CpuTimes {
  /** CPU milliseconds (user + system) used so far by DynamoDB Local's JVM, the service process and this process. */
  dynamodb: number;
  service: number;
  bench: number;
}

export interface Stack {
  endpoint: string;
  tableName: string;
  /** Base URL of the service, e.g. http://127.0.0.1:41234 */
  url: string;
  resetCounters(): Promise<void>;
  readCounters(): Promise<Counters>;
  startProfile(): Promise<void>;
  stopProfile(file: string): Promise<void>;
  /** Set (null: unset) environment variables of the service process (read at each use, e.g. INVENTORY_HOT_DESIGN). */
  setEnv(env: Record<string, string | null>): Promise<void>;
  cpu(): CpuTimes;
  stop(): Promise<void>;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** utime + stime of a process from /proc, in ms (NaN where /proc is not there). */
function procCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * Start DynamoDB Local, make the table, and put the DynamoDB front before it (IAM per function; in
 * the AWS model also transaction conflicts and partition limits, README "The DynamoDB front"); the
 * returned endpoint is the front's. This process's store helpers (seeding) use it too.
 */
export async function startDynamoDb(tableName: string, awsModel = false): Promise<DynamoDbLocal & { front: DynamoFront }> {
  const ddb = await startDynamoDbLocal(); // in memory, on a free port;
  await ensureTable(ddb.endpoint, tableName);
  if (awsModel) process.env.DYNAMO_FRONT_SCALE ??= '0.1';
  const front = await startFrontFor(ddb.endpoint, { iam: true, conflicts: awsModel, throughput: awsModel });
  process.env.TABLE_NAME = tableName;
  process.env.DYNAMODB_ENDPOINT = front.endpoint;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return {
    ...ddb,
    endpoint: front.endpoint,
    front,
    async stop() {
      await front.stop();
      await ddb.stop();
    },
  };
}

/** Start the service process against a running DynamoDB Local. */
export async function startStack(ddb: DynamoDbLocal, tableName: string): Promise<Stack> {
  mkdirSync(WORK_DIR, { recursive: true });
  const child: ChildProcess = fork(join(BENCH_DIR, 'lib', 'server.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: serviceEnv(ddb.endpoint, tableName),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service process did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the service process exited (${code}) before it was ready`)));
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.port!);
      }
    });
  });

  // orders to the service process, each answered by a message with the same id
  let nextId = 1;
  const waiting = new Map<number, (reply: any) => void>();
  child.on('message', (m: { id?: number }) => {
    if (m.id !== undefined) waiting.get(m.id)?.(m);
    waiting.delete(m.id!);
  });
  const order = (type: string, extra: object = {}): Promise<any> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, type, ...extra });
    });

  return {
    endpoint: ddb.endpoint,
    tableName,
    url: `http://127.0.0.1:${port}`,
    resetCounters: () => order('reset'),
    readCounters: async () => (await order('read')).counters as Counters,
    startProfile: () => order('profile-start'),
    stopProfile: (file) => order('profile-stop', { file }),
    setEnv: (env) => order('env', { env }),
    cpu: () => {
      const own = process.cpuUsage();
      return { dynamodb: procCpuMs(ddb.process.pid), service: procCpuMs(child.pid), bench: (own.user + own.system) / 1000 };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        await Promise.race([order('stop'), new Promise((r) => setTimeout(r, 5000))]);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      process.off('exit', killOnExit);
    },
  };
}

/** Cores, memory, Node and Java of this machine, for RESULTS.md. */
export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  java: string;
  os: string;
  /** 1-minute load average before the run (and after it, set at the end): a busy neighbour shows here. */
  loadAverage: number[];
  loadAverageAfter?: number;
}

export async function machine(): Promise<Machine> {
  const os = await import('node:os');
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    java: `${java.stderr}${java.stdout}`.split('\n')[0]?.trim() ?? 'unknown',
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    loadAverage: os.loadavg(),
  };
}
