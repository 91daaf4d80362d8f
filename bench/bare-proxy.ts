import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { listenForBench } from './listen.ts';
import { Pool } from 'undici';

/**
 * The reference point for a proxy hop: plain Node.js `http` in front of upstreams through undici,
 * round-robin, streaming each answer straight into the response, and nothing else (no routing,
 * headers, auth or limits). What it costs against a bare server on the same machine bounds what any
 * Node.js gateway can do there. Prints `listening <port>` once bound.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string', multiple: true, default: [] },
    'exit-on-stdin-close': { type: 'boolean', default: false },
  },
});
if (values.upstream.length === 0) {
  console.error('usage: bare-proxy.ts --upstream URL [--upstream URL]... [--port 0] [--exit-on-stdin-close]');
  process.exit(2);
}

const pools = values.upstream.map((url) => new Pool(url, { connections: 128 }));
let next = 0;
const server = createServer((req, res) => {
  const pool = pools[next++ % pools.length]!;
  pool
    .stream({ path: req.url ?? '/', method: 'GET' }, ({ statusCode, headers }) => {
      res.writeHead(statusCode, { 'content-type': String(headers['content-type']), 'content-length': String(headers['content-length']) });
      return res;
    })
    .catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
});
listenForBench(server, { host: values.host, port: Number(values.port), exitOnStdinClose: values['exit-on-stdin-close'] });
