import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Session } from '@dema/contracts';
import { startProcess, type DemaConfig, type RunningProcess, type ServiceFactory } from '@dema/platform';
import { realTarget, testRedis, testTargets, TcpProxy, waitFor, type TestEnvironment } from '@dema/platform/testing';
import { createUserService, type UserService } from '../src/app.ts';
import { makeClient, uniqueEmail } from './helpers.ts';

const password = 'lichen-harbour-sextant-27';

/** The `sid` claim of an access token: its session's id. */
const sidOf = (session: Session): string => JSON.parse(Buffer.from(session.tokens.accessToken.split('.')[1]!, 'base64url').toString()).sid;

/** A customer of `process`, logged in twice (two sessions). */
async function customerWithSessions(process: RunningProcess, count: number): Promise<Session[]> {
  const email = uniqueEmail('outage');
  await (process.services[0] as UserService).identity.createUser(email, password, 'Outage Customer', 'customer');
  const sessions: Session[] = [];
  for (let i = 0; i < count; i++) {
    const reply = await makeClient(process.url, '127.0.0.1').login(email, password);
    assert.equal(reply.status, 200, reply.text);
    sessions.push(reply.body as Session);
  }
  return sessions;
}

const me = (process: RunningProcess, session: Session) => makeClient(process.url, '127.0.0.1').me(session.tokens.accessToken);
const logout = (process: RunningProcess, session: Session) =>
  makeClient(process.url, '127.0.0.1').send('POST', '/api/auth/logout', { token: session.tokens.accessToken });

/** A service without the User service: it verifies tokens by the JWKS and asks the User service's instances about sessions. */
const probe: ServiceFactory = async () => ({
  name: 'probe',
  schemas: [],
  async routes(app) {
    app.get('/api/probe', { config: { authenticated: true } }, async () => ({ ok: true }));
  },
  start: () => undefined,
  close: async () => undefined,
});
const probeClient = (process: RunningProcess, session: Session) =>
  makeClient(process.url, '127.0.0.1').send('GET', '/api/probe', { token: session.tokens.accessToken });

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const real = realTarget();
const redisServer = testRedis();
if (real && redisServer) {
  describe(`ended sessions while Redis is away (${real.name}, Redis behind a proxy that is cut)`, () => {
    let environment: TestEnvironment;
    let config: DemaConfig;
    let proxy: TcpProxy;
    let first: RunningProcess;
    let second: RunningProcess;
    let direct: Redis;

    before(async () => {
      proxy = await TcpProxy.start(redisServer);
      environment = await real.environment();
      config = { ...environment.config, redis: { ...environment.config.redis!, port: proxy.port }, serviceToken: `token-${Date.now()}` };
      first = await startProcess(config, 'first', [createUserService]);
      second = await startProcess(config, 'second', [createUserService]);
      direct = new Redis({ host: redisServer.host, port: redisServer.port, keyPrefix: config.redis!.keyPrefix });
    });
    afterEach(async () => {
      proxy.restore();
      await waitFor('both processes back on Redis', () => first.infra.redis!.isReady && second.infra.redis!.isReady, 15_000);
    });
    after(async () => {
      direct?.disconnect();
      await second?.close();
      await first?.close();
      await proxy?.close();
      await environment?.dispose();
    });

    test('a session ended before Redis went away stays ended on another process while it is away (from the User DB)', async () => {
      const [ended, live] = await customerWithSessions(first, 2);
      assert.equal((await me(second, ended!)).status, 200);
      assert.equal((await logout(first, ended!)).status, 204);
      proxy.cut();
      await waitFor('the second process to lose Redis', () => !second.infra.redis!.isReady, 5_000);
      const reply = await me(second, ended!);
      assert.equal(reply.status, 401, reply.text);
      assert.equal((await me(second, live!)).status, 200, 'a session that has not ended still works');
    });

    test('a session ended while Redis is away: refused by every process at once, and written to Redis when it is back', async () => {
      const [ended, live] = await customerWithSessions(first, 2);
      proxy.cut();
      await waitFor('both processes to lose Redis', () => !first.infra.redis!.isReady && !second.infra.redis!.isReady, 5_000);
      const out = await logout(first, ended!);
      assert.equal(out.status, 204, out.text);
      const meanwhile = await me(second, ended!);
      assert.equal(meanwhile.status, 401, meanwhile.text);
      assert.equal((await me(second, live!)).status, 200);

      proxy.restore();
      await waitFor('the revocation replayed into Redis', async () => (await direct.exists(`session:revoked:${sidOf(ended!)}`)) === 1, 15_000);
      const ttl = await direct.pttl(`session:revoked:${sidOf(ended!)}`);
      assert.ok(ttl > 0 && ttl <= 15 * 60 * 1000, `kept for the rest of an access token's life, not ${ttl} ms`);
      await waitFor('the second process back on Redis', () => second.infra.redis!.isReady, 15_000);
      const later = await me(second, ended!);
      assert.equal(later.status, 401, later.text);
    });

    test('a process without the User service asks its instances while Redis is away; with neither it answers 503, never a pass', async () => {
      const [ended, live] = await customerWithSessions(first, 2);
      const jwksUrl = `${first.url}/.well-known/jwks.json`;
      const edge = await startProcess({ ...config, jwksUrl, upstreams: { user: [first.url] } }, 'edge', [probe]);
      const blind = await startProcess({ ...config, jwksUrl, upstreams: { user: [`http://127.0.0.1:${await closedPort()}`] } }, 'blind', [probe]);
      try {
        assert.equal((await probeClient(edge, ended!)).status, 200);
        proxy.cut();
        await waitFor('the edge processes to lose Redis', () => !edge.infra.redis!.isReady && !blind.infra.redis!.isReady, 5_000);
        assert.equal((await logout(first, ended!)).status, 204);
        const refused = await probeClient(edge, ended!);
        assert.equal(refused.status, 401, refused.text);
        assert.equal((await probeClient(edge, live!)).status, 200);
        for (const session of [ended!, live!]) {
          const reply = await probeClient(blind, session);
          assert.equal(reply.status, 503, reply.text);
          assert.match(reply.headers['content-type']!, /^application\/problem\+json/);
          assert.equal(reply.body.code, 'UNAVAILABLE');
          assert.ok(reply.headers['retry-after'], 'with Retry-After');
        }
      } finally {
        await blind.close();
        await edge.close();
      }
    });

    test('a process that starts while Redis is away still refuses sessions that ended', async () => {
      const [ended] = await customerWithSessions(first, 1);
      assert.equal((await logout(first, ended!)).status, 204);
      proxy.cut();
      const third = await startProcess(config, 'third', [createUserService]);
      try {
        const reply = await me(third, ended!);
        assert.equal(reply.status, 401, reply.text);
      } finally {
        await third.close();
      }
    });
  });

  describe(`ended sessions when Redis refuses connections (${real.name}, Redis at a closed port)`, () => {
    let environment: TestEnvironment;
    let first: RunningProcess;
    let second: RunningProcess;

    before(async () => {
      environment = await real.environment();
      const config = { ...environment.config, redis: { ...environment.config.redis!, port: await closedPort() } };
      first = await startProcess(config, 'first', [createUserService]);
      second = await startProcess(config, 'second', [createUserService]);
    });
    after(async () => {
      await second?.close();
      await first?.close();
      await environment?.dispose();
    });

    test('a logout on one process is refused on the other; a live session still works', async () => {
      const [ended, live] = await customerWithSessions(first, 2);
      assert.equal((await logout(first, ended!)).status, 204);
      const reply = await me(second, ended!);
      assert.equal(reply.status, 401, reply.text);
      assert.equal((await me(second, live!)).status, 200);
    });
  });
}

for (const target of testTargets().filter((t) => t.name === 'embedded')) {
  describe(`ended sessions across a restart (${target.name}, data dir on disk)`, () => {
    let dir: string;
    let config: DemaConfig;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'dema-sessions-'));
      config = (await target.environment({ dataDir: path.join(dir, 'data') })).config;
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test('a session ended before a restart stays ended after it; one that did not end goes on', async () => {
      let process = await startProcess(config, 'before-restart', [createUserService]);
      let ended: Session;
      let live: Session;
      try {
        [ended, live] = (await customerWithSessions(process, 2)) as [Session, Session];
        assert.equal((await logout(process, ended)).status, 204);
      } finally {
        await process.close();
      }
      process = await startProcess(config, 'after-restart', [createUserService]);
      try {
        const reply = await me(process, ended);
        assert.equal(reply.status, 401, reply.text);
        assert.equal((await me(process, live)).status, 200);
      } finally {
        await process.close();
      }
    });
  });
}
