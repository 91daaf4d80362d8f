import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { base64url, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { accessTokenAudience, accessTokenIssuer, problemContentType } from '@dema/contracts';
import { buildApp, createInfrastructure, type DemaApp, type Infrastructure } from '@dema/platform';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createProductService } from '@dema/product';
import { createUserService, type UserService } from '@dema/user';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';

/**
 * Authentication at the edge: the gateway verifies access tokens against the real User service's
 * JWKS and refuses a bad one with a 401 that no service sees — proven by the service's own request
 * counters — and picks up a new signing key without a restart.
 */

const unlimited = { rateLimitAllowlist: ['127.0.0.0/8', '::1'] };
const password = 'correct-horse-battery-staple';
const serviceToken = 'auth-test-service-token-5b7d';

/** Requests the upstream answered on `route`, from its Prometheus counter. */
async function upstreamCount(upstreamUrl: string, route: string): Promise<number> {
  const text = await (await fetch(`${upstreamUrl}/metrics`, { headers: { authorization: `Bearer ${serviceToken}` } })).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('http_requests_total{') && line.includes(`route="${route}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function instanceState(gateway: RunningGateway, url: string): Promise<string | undefined> {
  const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { upstreams: Record<string, Array<{ url: string; state: string }>> };
  return ready.upstreams.user?.find((i) => i.url === url)?.state;
}

for (const target of testTargets()) {
  describe(`gateway authentication at the edge (${target.name})`, () => {
    let upstream: TestProcess<{ user: UserService }>;
    let gateway: RunningGateway;
    let customerToken: string;
    let privateJwk: JWK;

    const me = (authorization?: string) => fetch(`${gateway.url}/api/users/me`, { headers: authorization === undefined ? {} : { authorization } });
    const login = async (email: string) => {
      const response = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      assert.equal(response.status, 200, await response.clone().text());
      return ((await response.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
    };
    const claimsOf = (token: string) =>
      JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1]!))) as { sub: string; role: string; sid: string; exp: number };

    before(async () => {
      upstream = await startTestProcess(target, { user: createUserService, product: createProductService }, { serviceToken });
      await upstream.services.user.identity.createUser('ann@edge.dema.dev', password, 'Ann', 'customer');
      // The gateway shares the services' Redis (and key prefix) when there is one: it sees ended sessions too.
      gateway = await startTestGateway(
        { redis: upstream.infra.config.redis },
        { upstreams: { user: [upstream.url], product: [upstream.url] }, policies: unlimited, jwksCooldownMs: 300 },
      );
      customerToken = await login('ann@edge.dema.dev');
      const db = await upstream.infra.database('user');
      privateJwk = (await db.query<{ private_jwk: JWK }>('SELECT private_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1')).rows[0]!.private_jwk;
    });
    after(async () => {
      await gateway?.close();
      await upstream?.dispose();
    });

    test('a valid access token passes the gateway and reaches the service', async () => {
      const before = await upstreamCount(upstream.url, '/api/users/me');
      const response = await me(`Bearer ${customerToken}`);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { email: string }).email, 'ann@edge.dema.dev');
      assert.equal(await upstreamCount(upstream.url, '/api/users/me'), before + 1);
    });

    test('bad tokens get a 401 problem from the gateway, and the service never sees them', async () => {
      const claims = claimsOf(customerToken);
      const realKey = await importJWK(privateJwk, 'EdDSA');
      const { kid } = decodeProtectedHeader(customerToken);
      const sign = (key: CryptoKey | Uint8Array, header: { alg: string; kid?: string }, exp: number, audience = accessTokenAudience) =>
        new SignJWT({ role: claims.role, sid: claims.sid })
          .setProtectedHeader({ typ: 'at+jwt', ...header })
          .setSubject(claims.sub)
          .setIssuer(accessTokenIssuer)
          .setAudience(audience)
          .setIssuedAt(exp - 900)
          .setExpirationTime(exp)
          .sign(key);
      const now = Math.floor(Date.now() / 1000);
      const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const [header, payload, signature] = customerToken.split('.') as [string, string, string];
      const escalated = base64url.encode(JSON.stringify({ ...claims, role: 'admin' }));
      const bad: Record<string, string> = {
        expired: `Bearer ${await sign(realKey, { alg: 'EdDSA', kid: kid! }, now - 60)}`,
        'foreign key under the real kid': `Bearer ${await sign(foreign.privateKey, { alg: 'EdDSA', kid: kid! }, now + 600)}`,
        'foreign key, unknown kid': `Bearer ${await sign(foreign.privateKey, { alg: 'EdDSA', kid: 'no-such-key' }, now + 600)}`,
        'role rewritten': `Bearer ${header}.${escalated}.${signature}`,
        'signature cut': `Bearer ${header}.${payload}.`,
        'alg none': `Bearer ${base64url.encode(JSON.stringify({ alg: 'none' }))}.${payload}.`,
        'another audience': `Bearer ${await sign(realKey, { alg: 'EdDSA', kid: kid! }, now + 600, 'someone-else')}`,
        garbage: 'Bearer not-a-jwt',
        'not Bearer': 'Basic YW5uOnB3',
      };
      const before = await upstreamCount(upstream.url, '/api/users/me');
      for (const [what, authorization] of Object.entries(bad)) {
        const response = await me(authorization);
        assert.equal(response.status, 401, what);
        assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType, what);
        assert.equal(((await response.json()) as { code: string }).code, 'UNAUTHENTICATED', what);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/, what);
      }
      assert.equal(await upstreamCount(upstream.url, '/api/users/me'), before, 'no bad token reached the service');
      // Public routes too: a bad credential is refused, never treated as anonymous.
      const products = await fetch(`${gateway.url}/api/products`, { headers: { authorization: bad.expired! } });
      assert.equal(products.status, 401);
    });

    test('the JWKS is fetched once and cached, not once per token', async () => {
      await delay(400); // past the cooldown, so only a fetch that is really needed would happen
      const before = await upstreamCount(upstream.url, '/.well-known/jwks.json');
      for (let i = 0; i < 20; i++) assert.equal((await me(`Bearer ${customerToken}`)).status, 200);
      assert.equal(await upstreamCount(upstream.url, '/.well-known/jwks.json'), before);
    });

    test('an ended session is refused (at the gateway, when it shares the session store)', async () => {
      const token = await login('ann@edge.dema.dev');
      assert.equal((await fetch(`${gateway.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 204);
      const before = await upstreamCount(upstream.url, '/api/users/me');
      const response = await me(`Bearer ${token}`);
      assert.equal(response.status, 401);
      if (upstream.infra.config.redis) assert.equal(await upstreamCount(upstream.url, '/api/users/me'), before, 'refused before the service');
    });

    test('a new signing key is picked up without restarting the gateway', async () => {
      // A key rotation: the User service is redeployed with a configured key; the gateway keeps running.
      const port = Number(new URL(upstream.url).port);
      const oldKid = decodeProtectedHeader(customerToken).kid;
      const fresh = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const newJwk = { ...(await exportJWK(fresh.privateKey)), alg: 'EdDSA' };
      await upstream.dispose();
      upstream = await startTestProcess(
        target,
        { user: createUserService, product: createProductService },
        { port, jwtPrivateKey: JSON.stringify(newJwk), serviceToken },
      );
      await upstream.services.user.identity.createUser('bo@edge.dema.dev', password, 'Bo', 'customer');
      await waitFor('the restarted user instance to be up', async () => (await instanceState(gateway, upstream.url)) === 'up');

      const token = await login('bo@edge.dema.dev');
      assert.notEqual(decodeProtectedHeader(token).kid, oldKid, 'signed with the new key');
      await delay(400); // the cooldown since the gateway's last fetch
      const response = await me(`Bearer ${token}`);
      assert.equal(response.status, 200, await response.text());
    });
  });

  describe(`request ids reach the service's logs (${target.name})`, () => {
    let environment: Awaited<ReturnType<typeof target.environment>>;
    let infra: Infrastructure;
    let app: DemaApp;
    let gateway: RunningGateway;
    let users: TestProcess;
    const lines: Array<{ reqId?: string; msg?: string; url?: string }> = [];

    before(async () => {
      users = await startTestProcess(target, [createUserService]);
      environment = await target.environment();
      // The product instance logs at info into this array: what its log pipeline would receive.
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
          done();
        },
      });
      infra = await createInfrastructure(environment.config, { name: 'product', inMemory: environment.inMemory, log: pino({ level: 'info' }, sink) });
      app = await buildApp(infra, [await createProductService(infra)], 'product');
      const productUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      gateway = await startTestGateway({}, { upstreams: { user: [users.url], product: [productUrl] }, policies: unlimited });
    });
    after(async () => {
      await gateway?.close();
      await app?.close();
      await infra?.close();
      await environment?.dispose();
      await users?.dispose();
    });

    test('the id a client sends is the id on every log line the service writes for it', async () => {
      const response = await fetch(`${gateway.url}/api/products?limit=1`, { headers: { 'x-request-id': 'checkout-42.a' } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-request-id'), 'checkout-42.a');
      await waitFor('the access log line', () => lines.some((l) => l.reqId === 'checkout-42.a' && l.msg === 'request'));
    });

    test('an id the gateway made up is the one the service logs, and the one the client gets back', async () => {
      const response = await fetch(`${gateway.url}/api/categories`);
      const id = response.headers.get('x-request-id');
      assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      await waitFor('the access log line', () => lines.some((l) => l.reqId === id && l.url === '/api/categories'));
    });
  });
}
