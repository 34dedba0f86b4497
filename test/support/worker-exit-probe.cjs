/**
 * What keeps a jest worker from exiting, for "A worker process has failed to exit gracefully":
 *
 *   JEST_EXIT_PROBE_LOG=/tmp/exit.log NODE_OPTIONS="--experimental-vm-modules --require ./test/support/worker-exit-probe.cjs" npx jest …
 *
 * In a worker: every HTTP request is tagged with the test file running when it was sent; when jest
 * sends END, the worker logs the sockets still open (method, DynamoDB target, the test file that
 * sent it, its age) and its other active resources, and when its `exit` event fires. In jest's own
 * process: when END went to each worker and when the worker was seen to exit, with the largest
 * event-loop delay in between. A leak is a worker whose `exit` event never comes (jest sends
 * SIGTERM); a worker whose `exit` event comes at once but whose process ends later is tearing down
 * its heap (see jest.config.js, workerGracefulExitTimeout). Not used by `npm test`.
 */
const fs = require('node:fs');
const http = require('node:http');
const cp = require('node:child_process');

const file = process.env.JEST_EXIT_PROBE_LOG;
const log = (s) => file && fs.appendFileSync(file, `${process.pid}\t${new Date().toISOString()}\t${s}\n`);
const CHILD_MESSAGE_CALL = 1;
const CHILD_MESSAGE_END = 2;

if (process.send) {
  // a jest worker (or any child with an IPC channel: only jest's messages are read)
  let testFile = '';
  let endAt = 0;
  const request = http.request;
  http.request = function (...args) {
    const req = request.apply(this, args);
    req.__test = testFile;
    req.__at = Date.now();
    return req;
  };
  const describe = (h) => {
    if (h.remotePort) {
      const m = h._httpMessage;
      return m
        ? `socket ${m.method} ${m.getHeader?.('x-amz-target') ?? m.path} from ${m.__test} age ${Date.now() - m.__at} ms`
        : `socket :${h.remotePort} idle`;
    }
    const name = h.constructor?.name;
    if (name === 'ChildProcess') return `child ${h.pid} ${String(h.spawnargs?.join(' ')).slice(0, 120)}`;
    if (name === 'Server') return `server ${JSON.stringify(h.address?.())}`;
    return ''; // stdio pipes and the IPC channel
  };
  const onMessage = (m) => {
    if (!Array.isArray(m)) return;
    if (m[0] === CHILD_MESSAGE_CALL) {
      const p = JSON.stringify(m).match(/"path":"([^"]+)"/);
      if (p) testFile = p[1].replace(/.*\/test\//, 'test/');
    }
    if (m[0] === CHILD_MESSAGE_END) {
      process.removeListener('message', onMessage); // jest's own listener is the one that must go
      endAt = Date.now();
      const open = process._getActiveHandles().map(describe).filter(Boolean);
      log(`worker END after ${testFile}; open: ${open.join(' | ') || 'none'}; resources: ${process.getActiveResourcesInfo().join(',')}`);
    }
  };
  process.on('message', onMessage);
  process.on('exit', () => endAt && log(`worker exit event ${Date.now() - endAt} ms after END`));
} else {
  // jest's own process: how long each worker took to be gone after END
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const fork = cp.fork;
  cp.fork = function (...args) {
    const child = fork.apply(this, args);
    const send = child.send.bind(child);
    let endAt = 0;
    child.send = (m, ...rest) => {
      if (Array.isArray(m) && m[0] === CHILD_MESSAGE_END) {
        endAt = Date.now();
        delay.reset();
      }
      return send(m, ...rest);
    };
    child.on('exit', (code, signal) => {
      if (endAt)
        log(`jest saw worker ${child.pid} end (${code ?? signal}) ${Date.now() - endAt} ms after END; event-loop delay max ${Math.round(delay.max / 1e6)} ms`);
    });
    return child;
  };
}
