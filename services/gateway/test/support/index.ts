import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { loadConfig, type DemaConfig, type Logger } from '@dema/platform';
import type { GatewayOptions } from '../../src/edge/gateway-app.ts';
import { startGateway, type RunningGateway } from '../../src/edge/run-gateway.ts';

/*
 * Test support for the gateway suites (services/gateway/test, and apps/server/test where real
 * services stand behind it): real HTTP servers standing in for service instances whose behaviour a
 * test controls, and the proxying gateway started on a free port.
 */

/** One request as an upstream received it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type UpstreamBehaviour =
  /** 200 with `{ instance, method, url }`. */
  | 'ok'
  /** Destroys the connection without answering. */
  | 'drop'
  /** Sends the headers and part of the body, then destroys the connection (a crash mid-answer). */
  | 'truncate'
  /** Answers after `delayMs`. */
  | 'slow'
  /** 503 with Connection: close, as a Fastify server that is shutting down answers. */
  | 'closing';

/**
 * A real HTTP server standing in for one instance of a service, for the load-balancing tests: it
 * records every request but health checks, answers `/health/ready` 200 or 503 (`healthy`; `draining`
 * as a Dema process answers once it got SIGTERM), and
 * behaves as `behaviour` says. `kill()` closes it the way a crashed process goes (connections cut,
 * port refusing); `revive()` listens on the same port again.
 */
export class TestUpstream {
  readonly received: ReceivedRequest[] = [];
  healthy: boolean | 'draining' = true;
  behaviour: UpstreamBehaviour = 'ok';
  delayMs = 1_000;
  /** Served at `/.well-known/jwks.json`, for a stand-in User service. */
  jwks: object = { keys: [] };
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(readonly name: string) {
    this.server = this.createServer();
  }

  static async start(name: string): Promise<TestUpstream> {
    const upstream = new TestUpstream(name);
    await upstream.listen();
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests other than health checks whose path starts with `prefix`. */
  hits(prefix = '/'): ReceivedRequest[] {
    return this.received.filter((r) => r.url.startsWith(prefix));
  }

  async kill(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async revive(): Promise<void> {
    this.server = this.createServer();
    await this.listen(this.port);
  }

  close(): Promise<void> {
    return this.kill();
  }

  private async listen(port = 0): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
  }

  private createServer(): http.Server {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.answer(request, Buffer.concat(chunks).toString('utf8'), response));
    });
    server.keepAliveTimeout = 65_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private answer(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const url = request.url ?? '/';
    if (url === '/health/ready') {
      response.writeHead(this.healthy === true ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: this.healthy === true ? 'up' : this.healthy || 'down', checks: {} }));
      return;
    }
    this.received.push({ method: request.method ?? 'GET', url, headers: request.headers, body });
    if (url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(this.jwks));
      return;
    }
    const reply = () => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-upstream': this.name });
      response.end(JSON.stringify({ instance: this.name, method: request.method, url }));
    };
    switch (this.behaviour) {
      case 'drop':
        request.socket.destroy();
        return;
      case 'truncate':
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('{"instance":"');
        setTimeout(() => request.socket.destroy(), 20);
        return;
      case 'slow': {
        const timer = setTimeout(reply, this.delayMs);
        response.on('close', () => clearTimeout(timer));
        return;
      }
      case 'closing':
        response.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
        response.end(JSON.stringify({ statusCode: 503, error: 'Service Unavailable' }));
        return;
      default:
        reply();
    }
  }
}

/** Configuration for a gateway or all-in-one process in a test: quiet, a free local port. */
export function testConfig(overrides: Partial<DemaConfig> = {}): DemaConfig {
  return { ...loadConfig({ LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', DEMA_DEMO_DATA: 'false' }), ...overrides };
}

/** Redis settings with a key prefix of their own, so a test's rate-limit counters start at zero. */
export function isolatedRedis(redis: { host: string; port: number }, prefix?: string): DemaConfig['redis'] {
  return { host: redis.host, port: redis.port, password: undefined, keyPrefix: prefix ?? `dema-test-${randomBytes(4).toString('hex')}:` };
}

/** Starts a gateway on a free port with checks every 200 ms; `close()` stops it. */
export async function startTestGateway(config: Partial<DemaConfig>, options: GatewayOptions = {}, log?: Logger): Promise<RunningGateway> {
  return startGateway(testConfig(config), { healthIntervalMs: 200, ...options }, log);
}
