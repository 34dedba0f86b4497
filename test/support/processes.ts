import { execFileSync } from 'node:child_process';

/** Pids of java processes whose command line names `marker` (a data folder or a path inside it, or `-port N`). */
export function javaWith(marker: string): number[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m && /\bjava\b/.test(m[2]!.split(' ')[0]!) && (`${m[2]} `.includes(`${marker} `) || m[2]!.includes(`${marker}/`)))
    .map((m) => Number(m[1]));
}
