import type { DemaConfig } from '../src/config.ts';
import { TcpProxy } from './tcp-proxy.ts';
import { testAmqpUrl, type TestTarget } from './targets.ts';

/** The servers of the real target, each behind a proxy a test can cut. */
export interface Outages {
  postgres: TcpProxy;
  redis: TcpProxy;
  /** Absent when TEST_AMQP_URL is not set. */
  rabbitmq?: TcpProxy;
  /** The real target, its environments reaching every server through the proxies. */
  target: TestTarget;
  close(): Promise<void>;
}

/**
 * Puts a cuttable proxy in front of PostgreSQL, Redis and RabbitMQ for the environments of `real`
 * (the real target), so a test can take a server away from one process without stopping the
 * machine's server that other suites share. Test code and `dispose` still reach the servers directly.
 */
export async function behindProxies(real: TestTarget): Promise<Outages> {
  const probe = await real.environment();
  await probe.dispose();
  const database = new URL(Object.values(probe.config.databaseUrls)[0]!);
  const postgres = await TcpProxy.start({ host: database.hostname, port: Number(database.port || 5432) });
  const redis = await TcpProxy.start({ host: probe.config.redis!.host, port: probe.config.redis!.port });
  const amqpUrl = testAmqpUrl();
  const rabbitmq = amqpUrl ? await TcpProxy.start({ host: new URL(amqpUrl).hostname, port: Number(new URL(amqpUrl).port || 5672) }) : undefined;
  const through = (url: string, proxy: TcpProxy) => {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    return proxied.toString();
  };
  const target: TestTarget = {
    name: real.name,
    async environment(overrides = {}) {
      const environment = await real.environment(overrides);
      const config: DemaConfig = {
        ...environment.config,
        databaseUrls: Object.fromEntries(Object.entries(environment.config.databaseUrls).map(([service, url]) => [service, through(url!, postgres)])),
        redis: { ...environment.config.redis!, host: '127.0.0.1', port: redis.port },
        amqpUrl: environment.config.amqpUrl && rabbitmq ? through(environment.config.amqpUrl, rabbitmq) : environment.config.amqpUrl,
      };
      return { ...environment, config };
    },
  };
  return {
    postgres,
    redis,
    rabbitmq,
    target,
    async close() {
      for (const proxy of [postgres, redis, rabbitmq]) await proxy?.close();
    },
  };
}

/** One request of a load, as its client saw it. */
export interface Outcome {
  /** When it was answered (ms since the epoch). */
  at: number;
  /** How long it took, in ms. */
  ms: number;
  /** The status, or 0 when no answer came (connection error, timeout). */
  status: number;
  /** The body of a non-2xx answer, or the error's message. */
  detail: string;
  retryAfter: string | null;
  contentType: string | null;
}

/**
 * Keeps `workers` requests of `send` in flight until `stop()`, recording each outcome. Each request
 * is given up after `timeoutMs` (recorded as status 0), so a hang shows up as an outcome, not a stuck test.
 */
export function keepBusy(
  workers: number,
  send: (signal: AbortSignal, worker: number) => Promise<Response>,
  timeoutMs = 15_000,
): { outcomes: Outcome[]; stop(): Promise<void> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    while (running) {
      const began = Date.now();
      try {
        const response = await send(AbortSignal.timeout(timeoutMs), worker);
        const body = await response.text();
        outcomes.push({
          at: Date.now(),
          ms: Date.now() - began,
          status: response.status,
          detail: response.ok ? '' : body,
          retryAfter: response.headers.get('retry-after'),
          contentType: response.headers.get('content-type'),
        });
      } catch (error) {
        outcomes.push({ at: Date.now(), ms: Date.now() - began, status: 0, detail: (error as Error).message, retryAfter: null, contentType: null });
        // A refused connection fails at once: do not spin.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** What no client may ever read: a stack trace, SQL, a driver's or the runtime's own words. */
export const leakPattern = /\n\s+at |node_modules|\bSELECT\b|\bINSERT\b|\bUPDATE\b.*\bSET\b|ECONNREFUSED|ECONNRESET|Connection terminated/;

/** `200×812, 503×40`: how many outcomes had each status, for a diagnostic line. */
export function statusCounts(outcomes: Outcome[]): string {
  const counts = new Map<number, number>();
  for (const o of outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(', ');
}
