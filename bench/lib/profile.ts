/**
 * Where the time goes: a V8 CPU profile (.cpuprofile, the format `node --cpu-prof` writes) read
 * back and summed by self time — per function, and per area of the code (the service's own layers,
 * the AWS SDK, zod, middy, Node's internals, garbage collection, idle).
 */
import { readFileSync } from 'node:fs';
import { ROOT } from '../../lib/bundling.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Wall time the profile covers, ms. */
  totalMs: number;
  idleMs: number;
  /** Sampled time not idle (on the CPU, in GC, or in native code), ms. */
  busyMs: number;
  byArea: { area: string; ms: number; share: number }[];
  top: { fn: string; area: string; ms: number; share: number }[];
}

/** The area of the code a frame belongs to, from its script URL. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)') return 'V8 / native (program)';
    if (/^(writev|writeBuffer|write\w*String|readv?)$/.test(functionName)) return 'socket writes (native)';
    if (functionName === 'runMicrotasks') return 'promise / microtask queue (native)';
    return 'V8 builtins (JSON, RegExp, …)';
  }
  if (url.startsWith('node:')) return 'Node.js internals (module loader, http, net, streams)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) {
    if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/')) return 'AWS SDK (@aws-sdk, @smithy)';
    if (pkg === 'zod') return 'zod (validation)';
    if (pkg === '@middy/core') return 'middy';
    if (pkg.startsWith('@aws-lambda-powertools/')) return 'Powertools';
    if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx (TypeScript loader)';
    return `package ${pkg}`;
  }
  const path = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
  if (path.startsWith('bench/.work/bundles/')) return 'the function bundle (its own code, minified)';
  if (path.startsWith('functions/edge/')) return 'service: functions/edge (HTTP wrapper, rendering)';
  if (path.startsWith('functions/core/')) return 'service: functions/core (domain)';
  if (path.startsWith('functions/store/')) return 'service: functions/store (DynamoDB access)';
  if (path.startsWith('functions/authorizer/')) return 'service: authorizer';
  if (path.startsWith('functions/')) return 'service: other functions/';
  if (path.startsWith('lib/local/')) return 'local runtime (lib/local: API Gateway emulation)';
  if (path.startsWith('bench/')) return 'bench (request counters)';
  return path;
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(`${ROOT}/`, '')
    .replace(/^.*\/node_modules\//, '');

export function summarise(file: string, topN = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // sample i lasted until sample i+1 (the time delta recorded with it)
  const self = new Map<number, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    totalUs += us;
    self.set(id, (self.get(id) ?? 0) + us);
  });
  const areas = new Map<string, number>();
  const fns = new Map<string, { area: string; us: number }>();
  let idleUs = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const area = areaOf(frame);
    if (area === 'idle') {
      idleUs += us;
      continue;
    }
    areas.set(area, (areas.get(area) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${short(frame.url)}:${frame.lineNumber + 1}` : ''}`;
    const entry = fns.get(fn) ?? { area, us: 0 };
    entry.us += us;
    fns.set(fn, entry);
  }
  const busyUs = totalUs - idleUs;
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    byArea: [...areas].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: us / 1000, share: us / busyUs })),
    top: [...fns]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, topN)
      .map(([fn, e]) => ({ fn, area: e.area, ms: e.us / 1000, share: e.us / busyUs })),
  };
}
