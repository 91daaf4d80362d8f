import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { listenForBench } from './listen.ts';

/**
 * The reference point for the bench: what plain Node.js `http` does on this machine when it
 * answers with the same bytes as Dema. `--port 0` picks a free port; the port actually bound is
 * printed as `listening <port>`, which is what a parent process waits for.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9090' },
    host: { type: 'string', default: '127.0.0.1' },
    'body-file': { type: 'string' },
    // Lets a parent that dies without cleaning up (SIGKILL) take this server with it.
    'exit-on-stdin-close': { type: 'boolean', default: false },
  },
});

if (!values['body-file']) {
  console.error('usage: bare-server.ts --body-file FILE [--port 9090] [--host 127.0.0.1] [--exit-on-stdin-close]');
  process.exit(2);
}

const body = readFileSync(values['body-file']);
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

const server = createServer((req, res) => {
  // Drain any request body so the keep-alive connection can carry the next request.
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
});

listenForBench(server, { host: values.host, port: Number(values.port), exitOnStdinClose: values['exit-on-stdin-close'] });
