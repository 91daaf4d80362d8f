import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { accessTokenAudience, accessTokenIssuer, principalCan, type Permission, type Principal } from '@dema/contracts';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createProductService } from '@dema/product';
import { createUserService, type UserService } from '@dema/user';

/**
 * Every route of every service × every kind of caller, checked against the seed's permission table.
 * The table below is the specification; the test fails if a route exists that it does not cover.
 */
type Access = { permission: Permission } | 'public' | 'signed-in';
const routes: Record<string, Access> = {
  'GET /api/products': { permission: 'products:read' },
  'GET /api/products/{id}': { permission: 'products:read' },
  'POST /api/products': { permission: 'products:write' },
  'PUT /api/products/{id}': { permission: 'products:write' },
  'DELETE /api/products/{id}': { permission: 'products:write' },
  'POST /api/products/{id}/stock-adjustments': { permission: 'products:write' },
  'GET /api/categories': { permission: 'products:read' },
  'GET /api/categories/{id}': { permission: 'products:read' },
  'POST /api/categories': { permission: 'products:write' },
  'PUT /api/categories/{id}': { permission: 'products:write' },
  'DELETE /api/categories/{id}': { permission: 'products:write' },
  'POST /api/auth/signup': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/refresh': 'public',
  'POST /api/auth/logout': 'signed-in',
  'GET /.well-known/jwks.json': 'public',
  'GET /api/auth/jwks.json': 'public',
  'GET /api/users/me': 'signed-in',
  'PUT /api/users/me': 'signed-in',
  'GET /api/users': { permission: 'users:read' },
  'GET /api/users/{id}': { permission: 'users:read' },
  'PUT /api/users/{id}': { permission: 'users:write' },
  'DELETE /api/users/{id}': { permission: 'users:write' },
};

type Caller = 'anonymous' | 'customer' | 'admin' | 'expired' | 'tampered' | 'foreign-key' | 'alg-none' | 'hs256-public-key';
const callers: Caller[] = ['anonymous', 'customer', 'admin', 'expired', 'tampered', 'foreign-key', 'alg-none', 'hs256-public-key'];

function expectedOutcome(access: Access, caller: Caller): 'allowed' | 401 | 403 {
  if (!['anonymous', 'customer', 'admin'].includes(caller)) return 401;
  const principal: Principal = caller === 'anonymous' ? { kind: 'anonymous' } : { kind: 'user', userId: randomUUID(), role: caller as 'customer' | 'admin', sessionId: randomUUID() };
  if (access === 'public') return 'allowed';
  if (access === 'signed-in') return principal.kind === 'anonymous' ? 401 : 'allowed';
  if (principalCan(principal, access.permission)) return 'allowed';
  return principal.kind === 'anonymous' ? 401 : 403;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

for (const target of testTargets()) {
  describe(`permission matrix (${target.name})`, () => {
    let dema: TestProcess;
    let users: UserService;
    let privateJwk: JWK;
    let publicPem: string;
    let accounts = 0;

    before(async () => {
      dema = await startTestProcess(target, [createUserService, createProductService]);
      users = dema.services[0] as UserService;
      const db = await dema.infra.database('user');
      const { rows } = await db.query<{ private_jwk: JWK }>('SELECT private_jwk FROM signing_keys');
      privateJwk = rows[0]!.private_jwk;
      const { d: _d, ...publicJwk } = privateJwk;
      publicPem = await exportSPKI((await importJWK(publicJwk, 'EdDSA')) as CryptoKey);
    });
    after(() => dema.dispose());

    /** A fresh account and session for each request, so a logout or a disable cannot leak into the next. */
    async function freshSession(role: 'customer' | 'admin') {
      const email = `${role}${++accounts}@matrix.example`;
      await users.identity.createUser(email, 'tidal-orchid-lantern-42', role, role);
      return { email, ...(await users.identity.login(email, 'tidal-orchid-lantern-42', '127.0.0.1')) };
    }

    async function tokenFor(caller: Caller): Promise<string | undefined> {
      if (caller === 'anonymous') return undefined;
      if (caller === 'customer' || caller === 'admin') return (await freshSession(caller)).tokens.accessToken;
      const admin = await freshSession('admin');
      const claims = { role: 'admin', sid: randomUUID() };
      const header = { alg: 'EdDSA', kid: privateJwk.kid, typ: 'at+jwt' };
      const signed = (key: Parameters<SignJWT['sign']>[0], exp: number) =>
        new SignJWT(claims).setProtectedHeader(header).setSubject(admin.user.id).setIssuer(accessTokenIssuer).setAudience(accessTokenAudience).setIssuedAt(exp - 900).setExpirationTime(exp).sign(key);
      const now = Math.floor(Date.now() / 1000);
      switch (caller) {
        case 'expired':
          return signed(await importJWK(privateJwk, 'EdDSA'), now - 60);
        case 'foreign-key':
          return signed((await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey, now + 600);
        case 'tampered': {
          // A customer's real token, re-encoded to claim the admin role, keeping its signature.
          const [h, p, s] = (await freshSession('customer')).tokens.accessToken.split('.');
          const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
          return `${h}.${b64({ ...payload, role: 'admin' })}.${s}`;
        }
        case 'alg-none':
          return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: admin.user.id, role: 'admin', sid: randomUUID(), iss: accessTokenIssuer, aud: accessTokenAudience, iat: now, exp: now + 600 })}.`;
        case 'hs256-public-key': {
          const unsigned = `${b64({ alg: 'HS256', kid: privateJwk.kid })}.${b64({ sub: admin.user.id, role: 'admin', sid: randomUUID(), iss: accessTokenIssuer, aud: accessTokenAudience, iat: now, exp: now + 600 })}`;
          return `${unsigned}.${createHmac('sha256', publicPem).update(unsigned).digest('base64url')}`;
        }
      }
    }

    async function adminRequest(method: string, url: string, body?: unknown) {
      const { tokens } = await freshSession('admin');
      const response = await fetch(`${dema.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return response.json();
    }

    /** A path with real ids and a body that a permitted caller's request would succeed with. */
    async function requestFor(route: string): Promise<{ method: string; url: string; body?: unknown }> {
      const [method, template] = route.split(' ') as [string, string];
      const category = await adminRequest('POST', '/api/categories', { name: `Matrix ${randomUUID()}` });
      let id = '';
      if (template.startsWith('/api/products/{id}')) {
        id = (await adminRequest('POST', '/api/products', { name: 'Matrix product', price: 5, stock: 3, categoryId: category.id })).id;
      } else if (template.startsWith('/api/categories/{id}')) {
        id = category.id;
      } else if (template.startsWith('/api/users/{id}')) {
        id = (await freshSession('customer')).user.id;
      }
      const url = template.replace('{id}', id);
      const bodies: Record<string, unknown> = {
        'POST /api/products': { name: 'Matrix product', price: 5, stock: 3, categoryId: category.id },
        'PUT /api/products/{id}': { name: 'Renamed' },
        'POST /api/products/{id}/stock-adjustments': { delta: 1 },
        'POST /api/categories': { name: `Matrix ${randomUUID()}` },
        'PUT /api/categories/{id}': { name: `Renamed ${randomUUID()}` },
        'POST /api/auth/signup': { email: `signup-${randomUUID()}@matrix.example`, password: 'tidal-orchid-lantern-42', name: 'New' },
        'PUT /api/users/me': { name: 'Renamed' },
        'PUT /api/users/{id}': { name: 'Renamed' },
        'POST /api/auth/logout': {},
      };
      if (route === 'POST /api/auth/login') {
        const { email } = await freshSession('customer');
        return { method, url, body: { email, password: 'tidal-orchid-lantern-42' } };
      }
      if (route === 'POST /api/auth/refresh') return { method, url, body: { refreshToken: (await freshSession('customer')).tokens.refreshToken } };
      return { method, url, body: bodies[route] };
    }

    test('the table covers exactly the routes the OpenAPI document lists', async () => {
      const document = await (await fetch(`${dema.url}/api/docs/openapi.json`)).json();
      const documented = Object.entries(document.paths as Record<string, object>).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      );
      assert.deepEqual(documented.filter((r) => r.includes('/api/') || r.includes('/.well-known/')).sort(), Object.keys(routes).sort());
    });

    for (const [route, access] of Object.entries(routes)) {
      test(`${route}: each caller gets what the permission table says`, async () => {
        const outcomes: string[] = [];
        for (const caller of callers) {
          const token = await tokenFor(caller);
          const { method, url, body } = await requestFor(route);
          const response = await fetch(`${dema.url}${url}`, {
            method,
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          await response.arrayBuffer();
          const expected = expectedOutcome(access, caller);
          const ok = expected === 'allowed' ? response.status >= 200 && response.status < 300 : response.status === expected;
          if (!ok) outcomes.push(`${caller}: expected ${expected}, got ${response.status}`);
        }
        assert.deepEqual(outcomes, []);
      });
    }
  });
}
