/**
 * What `npm start` and the CLI print to a terminal: lines that fit it (80 columns unless the
 * terminal says otherwise: a wrapped line is hard to read and to copy from), paths as short as they
 * can be, and a free port to suggest when one is taken.
 */
import { createServer } from 'node:net';
import { relative, isAbsolute } from 'node:path';

/** The width to fit: the terminal's, or 80 when not a terminal. */
export const columns = (stream: NodeJS.WriteStream = process.stdout) => (stream.isTTY && stream.columns ? stream.columns : 80);

/** A path relative to the working directory when it is inside it (`.local/dev-key`), else as given. */
export function shortPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * `  label    text`, the text wrapped at spaces to fit `width` (never wider, but for a single word
 * longer than the room beside the label: it gets a line of its own, indented like the text).
 */
export function labelled(label: string, text: string, width = 80, labelWidth = 16): string {
  const indent = ' '.repeat(2 + labelWidth);
  const room = Math.max(20, width - 1 - indent.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? `  ${label.padEnd(labelWidth)}${l}` : `${indent}${l}`)).join('\n');
}

/** Whether `port` on 127.0.0.1 can be listened on right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** A port to suggest instead of a busy one: the first free one after it, else one the system picks. */
export async function freePortNear(port: number, avoid: number[] = []): Promise<number> {
  for (let p = port + 1; p <= Math.min(65_535, port + 20); p++) if (!avoid.includes(p) && (await portFree(p))) return p;
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => done(free));
    });
  });
}
