/**
 * Shell blocks of a Markdown page, run as a reader runs them: in order, in one shell session.
 *
 * A block is selected by its fence's info string: ```` ```sh local <name> ```` is tag `local`, name
 * `<name>`. `DocShell` runs each block in its own `bash` with `set -euo pipefail` (so any failing
 * command fails the block), after restoring the variables the blocks before it set — what a terminal
 * would still hold — and saves them again when the block ends.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DocBlock {
  /** The words of the info string after the language (`['local', 'keys-create']`). */
  tags: string[];
  /** The block's name: the info string's third word (`keys-create`), if any. */
  name: string | undefined;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** Every fenced block whose language is `sh` and whose info string holds `tag` (no tag: every `sh` block). */
export function shellBlocks(markdown: string, tag?: string): DocBlock[] {
  const out: DocBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\S+)?\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence) && l.trim() === fence);
    if (end === -1) throw new Error(`unclosed code fence at line ${i + 1}`);
    const words = open[3]!.split(/\s+/).filter(Boolean);
    if (open[2] === 'sh' && (tag === undefined || words.includes(tag)))
      out.push({ tags: words, name: words[1], code: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return out;
}

export interface BlockRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One reader's terminal: blocks run one after another, variables carried from block to block. */
export class DocShell {
  private readonly dir = mkdtempSync(join(tmpdir(), 'doc-shell-'));
  private readonly state = join(this.dir, 'state.sh');

  constructor(private readonly opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }) {
    writeFileSync(this.state, '');
  }

  run(code: string): Promise<BlockRun> {
    const script = join(this.dir, 'block.sh');
    writeFileSync(script, `${code}\n`);
    // the variables a fresh shell has are its own; every other one (the earlier blocks', this block's) is saved
    const wrapper = [
      'set -euo pipefail',
      '__doc_before=$(compgen -v)',
      `source ${JSON.stringify(this.state)}`,
      `source ${JSON.stringify(script)}`,
      `for __v in $(compgen -v); do case "$__v" in __*) continue;; esac; grep -qx "$__v" <<< "$__doc_before" || declare -p "$__v"; done > ${JSON.stringify(`${this.state}.next`)}`,
      `mv ${JSON.stringify(`${this.state}.next`)} ${JSON.stringify(this.state)}`,
    ].join('\n');
    return new Promise((done, fail) => {
      // stderr goes to a file, as a terminal's is a device: a block may write to /dev/stderr
      // (`tee /dev/stderr`), which fails (ENXIO) on the socket a piped stdio would be
      const errFile = join(this.dir, 'stderr');
      const errFd = openSync(errFile, 'w');
      const child = spawn('bash', ['--noprofile', '--norc', '-c', wrapper], { cwd: this.opts.cwd, env: this.opts.env, stdio: ['ignore', 'pipe', errFd] });
      closeSync(errFd);
      let stdout = '';
      child.stdout!.on('data', (d) => (stdout += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs ?? 90_000);
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ code, stdout, stderr: readFileSync(errFile, 'utf8') });
      });
    });
  }

  /** The variables the blocks so far left set, as a reader's terminal holds them (scalars only). */
  variables(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of readFileSync(this.state, 'utf8').matchAll(/^declare -[-x]* (\w+)="(.*)"$/gm)) out[m[1]!] = m[2]!;
    return out;
  }

  dispose() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
