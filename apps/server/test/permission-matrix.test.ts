import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { accessTokenAudience, accessTokenIssuer, principalCan, problemContentType, type Permission, type Principal, type Role } from '@dema/contracts';
import { createHttpServer, declareSchemas, type ServiceModule } from '@dema/platform';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import type { UserService } from '@dema/user';
import { allInOneServices } from '../src/services.ts';
import type { AllInOneServices } from './support/all-in-one.ts';

/**
 * The whole authorization matrix of the mounted services: every route of the OpenAPI document ×
 * every kind of caller, good and bad credentials. A route's expected answer follows from the access
 * it should have (this table) and the shared permission table of @dema/contracts (`principalCan`).
 * Bodies are deliberately minimal (`{}`): an allowed caller then gets a 2xx or a validation 4xx,
 * never 401/403, and nothing is changed except by the DELETE routes, which get resources of their own.
 */

type Access = { permission?: Permission; authenticated?: true };
type Fixture =
  | 'product'
  | 'doomedProduct'
  | 'category'
  | 'doomedCategory'
  | 'user'
  | 'doomedUser'
  | 'order'
  | 'customer'
  | 'zone'
  | 'doomedZone'
  | 'method'
  | 'doomedMethod'
  | 'taxRate'
  | 'doomedTaxRate'
  | 'promotion'
  | 'doomedPromotion'
  | 'webhook'
  | 'doomedWebhook';

interface RouteSpec {
  access: Access;
  /** The resource substituted for the path parameter (`{id}`, `{userId}`, `{productId}`). */
  id?: Fixture;
  /** Sent as JSON; POST and PUT routes get `{}` unless told otherwise. */
  body?: unknown;
  /** An allowed caller's session ends (logout): it gets a fresh one for this call. */
  endsSession?: true;
  /** The route authenticates with the browser's refresh cookie, not a bearer token: without the cookie it answers 401 INVALID_REFRESH_TOKEN to every caller. */
  needsRefreshCookie?: true;
}

const open: Access = {};
const signedIn: Access = { authenticated: true };
const can = (permission: Permission): Access => ({ permission });

const matrix: Record<string, RouteSpec> = {
  'POST /api/auth/signup': { access: open },
  'POST /api/auth/login': { access: open },
  'POST /api/auth/refresh': { access: open },
  'POST /api/auth/logout': { access: signedIn, body: undefined, endsSession: true },
  'POST /api/auth/cookie': { access: open },
  'POST /api/auth/cookie/signup': { access: open },
  'POST /api/auth/cookie/refresh': { access: open, needsRefreshCookie: true },
  'DELETE /api/auth/cookie': { access: open },
  'POST /api/auth/password-reset': { access: open },
  'POST /api/auth/password-reset/confirm': { access: open },
  'POST /api/auth/verify-email': { access: open },
  'GET /api/admin/mailbox': { access: can('users:read') },
  'GET /.well-known/jwks.json': { access: open },
  'GET /api/auth/jwks.json': { access: open },
  'GET /api/users/me': { access: signedIn },
  'PUT /api/users/me': { access: signedIn },
  'DELETE /api/users/me': { access: signedIn, body: {} },
  'POST /api/users/me/verification-email': { access: signedIn, body: undefined },
  'GET /api/users/me/addresses': { access: signedIn },
  'POST /api/users/me/addresses': { access: signedIn },
  // Any uuid: an allowed caller gets 404 (not in their book), which is neither 401 nor 403.
  'GET /api/users/me/addresses/{id}': { access: signedIn, id: 'user' },
  'PATCH /api/users/me/addresses/{id}': { access: signedIn, id: 'user' },
  'DELETE /api/users/me/addresses/{id}': { access: signedIn, id: 'user' },
  'GET /api/users': { access: can('users:read') },
  'GET /api/users/export': { access: can('users:read') },
  'GET /api/users/{id}': { access: can('users:read'), id: 'user' },
  'PUT /api/users/{id}': { access: can('users:write'), id: 'user' },
  'DELETE /api/users/{id}': { access: can('users:write'), id: 'doomedUser' },
  'GET /api/products': { access: can('products:read') },
  'POST /api/products': { access: can('products:write') },
  'GET /api/products/{id}': { access: can('products:read'), id: 'product' },
  'PUT /api/products/{id}': { access: can('products:write'), id: 'product' },
  'DELETE /api/products/{id}': { access: can('products:write'), id: 'doomedProduct' },
  'POST /api/products/{id}/stock-adjustments': { access: can('products:write'), id: 'product' },
  // The admin's `{}` is refused as not CSV (415): past the permission, which is what the matrix checks.
  'POST /api/products/import': { access: can('products:write') },
  'GET /api/products/import/{id}': { access: can('products:write'), id: 'product' },
  'GET /api/products/export': { access: can('products:write') },
  'GET /api/categories': { access: can('products:read') },
  'POST /api/categories': { access: can('products:write') },
  'GET /api/categories/{id}': { access: can('products:read'), id: 'category' },
  'PUT /api/categories/{id}': { access: can('products:write'), id: 'category' },
  'DELETE /api/categories/{id}': { access: can('products:write'), id: 'doomedCategory' },
  'POST /api/orders': { access: can('orders:write') },
  'GET /api/orders': { access: can('orders:read') },
  'GET /api/orders/export': { access: can('orders:read') },
  'GET /api/orders/{id}': { access: can('orders:read'), id: 'order' },
  'PUT /api/orders/{id}/status': { access: can('orders:write'), id: 'order' },
  // The customer's own id: another customer's list is a 403 by ownership, not by the table.
  'GET /api/orders/user/{userId}': { access: can('orders:read'), id: 'customer' },
  'GET /api/cart': { access: can('orders:read') },
  'PUT /api/cart/items/{productId}': { access: can('orders:write'), id: 'product' },
  'DELETE /api/cart/items/{productId}': { access: can('orders:write'), id: 'product' },
  'DELETE /api/cart': { access: can('orders:write') },
  'POST /api/checkout/shipping-options': { access: can('orders:write') },
  'POST /api/checkout/preview': { access: can('orders:write') },
  // The order fixture has no payment: allowed callers get a 404, never 401/403.
  'GET /api/orders/{orderId}/payment': { access: can('orders:read'), id: 'order' },
  'POST /api/orders/{orderId}/payment/mark-paid': { access: can('payments:manage'), id: 'order', body: undefined },
  'POST /api/orders/{orderId}/refunds': { access: can('payments:manage'), id: 'order' },
  'POST /api/orders/{id}/returns': { access: can('payments:manage'), id: 'order' },
  'GET /api/orders/{id}/returns': { access: can('orders:read'), id: 'order' },
  // Stripe's, authenticated by its signature: open to anyone, refused (400) without a good one.
  'POST /api/payments/stripe/webhook': { access: open },
  'GET /api/shipping-zones': { access: can('checkout:manage') },
  'POST /api/shipping-zones': { access: can('checkout:manage') },
  'GET /api/shipping-zones/{id}': { access: can('checkout:manage'), id: 'zone' },
  'PATCH /api/shipping-zones/{id}': { access: can('checkout:manage'), id: 'zone' },
  'DELETE /api/shipping-zones/{id}': { access: can('checkout:manage'), id: 'doomedZone' },
  'GET /api/shipping-zones/{id}/methods': { access: can('checkout:manage'), id: 'zone' },
  'POST /api/shipping-zones/{id}/methods': { access: can('checkout:manage'), id: 'zone' },
  'GET /api/shipping-methods/{id}': { access: can('checkout:manage'), id: 'method' },
  'PATCH /api/shipping-methods/{id}': { access: can('checkout:manage'), id: 'method' },
  'DELETE /api/shipping-methods/{id}': { access: can('checkout:manage'), id: 'doomedMethod' },
  'GET /api/tax-rates': { access: can('checkout:manage') },
  'POST /api/tax-rates': { access: can('checkout:manage') },
  'GET /api/tax-rates/{id}': { access: can('checkout:manage'), id: 'taxRate' },
  'PATCH /api/tax-rates/{id}': { access: can('checkout:manage'), id: 'taxRate' },
  'DELETE /api/tax-rates/{id}': { access: can('checkout:manage'), id: 'doomedTaxRate' },
  'GET /api/promotions': { access: can('checkout:manage') },
  'POST /api/promotions': { access: can('checkout:manage') },
  'GET /api/promotions/{id}': { access: can('checkout:manage'), id: 'promotion' },
  'PATCH /api/promotions/{id}': { access: can('checkout:manage'), id: 'promotion' },
  'DELETE /api/promotions/{id}': { access: can('checkout:manage'), id: 'doomedPromotion' },
  // The storefront shows prices with them before anyone signs in.
  'GET /api/checkout-settings': { access: open },
  'PUT /api/checkout-settings': { access: can('checkout:manage') },
  'GET /api/analytics/revenue': { access: can('analytics:read') },
  'GET /api/analytics/summary': { access: can('analytics:read') },
  'GET /api/analytics/sales': { access: can('analytics:read') },
  'GET /api/analytics/top-products': { access: can('analytics:read') },
  'GET /api/analytics/orders-by-status': { access: can('analytics:read') },
  'GET /api/analytics/stock-movements': { access: can('analytics:read') },
  'GET /api/analytics/low-stock': { access: can('analytics:read') },
  'GET /api/webhooks': { access: can('webhooks:manage') },
  'POST /api/webhooks': { access: can('webhooks:manage') },
  'GET /api/webhooks/{id}': { access: can('webhooks:manage'), id: 'webhook' },
  'PATCH /api/webhooks/{id}': { access: can('webhooks:manage'), id: 'webhook' },
  'DELETE /api/webhooks/{id}': { access: can('webhooks:manage'), id: 'doomedWebhook' },
  'GET /api/webhooks/{id}/deliveries': { access: can('webhooks:manage'), id: 'webhook' },
  // `{deliveryId}` stays as written: allowed callers get a 400 for it, never 401/403.
  'POST /api/webhooks/{id}/deliveries/{deliveryId}/redeliver': { access: can('webhooks:manage'), id: 'webhook', body: undefined },
  'GET /api/admin/audit': { access: can('audit:read') },
  'GET /api/monitoring/system': { access: can('analytics:read') },
  'GET /api/monitoring/application': { access: can('analytics:read') },
  'GET /api/monitoring/history': { access: can('analytics:read') },
  'GET /api/monitoring/alerts': { access: can('analytics:read') },
  'GET /api/monitoring/dead-letters': { access: can('analytics:read') },
  'POST /api/monitoring/dead-letters/retry': { access: can('analytics:read') },
};

const callerNames = [
  'anonymous',
  'customer',
  'admin',
  'expired',
  'tampered',
  'escalated',
  'foreign-key',
  'alg-none',
  'hs256-public-key',
  'wrong-audience',
  'not-bearer',
] as const;
type CallerName = (typeof callerNames)[number];

/** Who each caller claims to be; `bad` callers present a credential that must be refused. */
const callerKinds: Record<CallerName, { principal: Principal; bad: boolean; what: string }> = {
  anonymous: { principal: { kind: 'anonymous' }, bad: false, what: 'no Authorization header' },
  customer: { principal: user('customer'), bad: false, what: "a customer's real access token" },
  admin: { principal: user('admin'), bad: false, what: "an admin's real access token" },
  expired: { principal: user('admin'), bad: true, what: 'admin claims signed with the real key, exp in the past' },
  tampered: { principal: user('admin'), bad: true, what: 'a real admin token with one character of its payload changed' },
  escalated: { principal: user('admin'), bad: true, what: 'a real customer token whose role claim was rewritten to admin' },
  'foreign-key': { principal: user('admin'), bad: true, what: 'admin claims signed by a fresh Ed25519 key under the real kid' },
  'alg-none': { principal: user('admin'), bad: true, what: 'an unsigned (alg: none) token with admin claims' },
  'hs256-public-key': { principal: user('admin'), bad: true, what: "admin claims signed HS256 with the public key's bytes as the secret" },
  'wrong-audience': { principal: user('admin'), bad: true, what: 'admin claims signed with the real key for another audience' },
  'not-bearer': { principal: user('admin'), bad: true, what: 'Authorization: Basic …' },
};

function user(role: Role): Principal {
  return { kind: 'user', userId: '00000000-0000-4000-8000-000000000000', role, sessionId: '00000000-0000-4000-8000-000000000000' };
}

type Outcome = 'allowed' | 401 | 403;

/** What `principal` should get from a route with `access`, by the shared permission table. */
function outcomeFor(access: Access, principal: Principal): Outcome {
  if (access.authenticated && principal.kind === 'anonymous') return 401;
  if (access.permission && !principalCan(principal, access.permission)) return principal.kind === 'anonymous' ? 401 : 403;
  return 'allowed';
}

function expected(route: string, caller: CallerName): Outcome {
  const kind = callerKinds[caller];
  // A bad credential is refused everywhere, public routes included: never silently anonymous.
  return kind.bad ? 401 : outcomeFor(matrix[route]!.access, kind.principal);
}

const describeOutcome = (outcome: Outcome) => (outcome === 'allowed' ? 'allowed (neither 401 nor 403)' : String(outcome));
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
const methods = ['get', 'put', 'post', 'delete', 'patch'];

for (const target of testTargets()) {
  describe(`permission matrix (${target.name})`, () => {
    let running: TestProcess<AllInOneServices>;
    let users: UserService;
    const fixtures = {} as Record<Fixture, string>;
    const authorization = {} as Record<CallerName, string | undefined>;
    const accounts = {} as Record<'customer' | 'admin', { email: string; password: string }>;
    /** A real admin session whose claims the forged tokens copy (so a wrongly accepted one harms only it). */
    let baitAdminToken: string;
    let privateJwk: JWK;

    const call = (method: string, url: string, options: { authorization?: string; body?: unknown } = {}) =>
      fetch(`${running.url}${url}`, {
        method,
        headers: {
          ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    const login = async (role: 'customer' | 'admin') =>
      (await users.identity.login(accounts[role].email, accounts[role].password, '127.0.0.1')).tokens.accessToken;
    const created = async (response: Response, what: string): Promise<string> => {
      const text = await response.text();
      if (response.status !== 201) throw new Error(`creating ${what}: ${response.status} ${text}`);
      return (JSON.parse(text) as { id: string }).id;
    };
    /** Signs `claims` with the stored private key, as the User service would, with `exp` and `aud` as given. */
    const signWithRealKey = async (claims: JWTPayload, exp: number, audience = accessTokenAudience) => {
      const { kid } = decodeProtectedHeader(baitAdminToken);
      return new SignJWT({ role: claims.role, sid: claims.sid })
        .setProtectedHeader({ alg: 'EdDSA', kid: kid!, typ: 'at+jwt' })
        .setSubject(claims.sub!)
        .setIssuer(accessTokenIssuer)
        .setAudience(audience)
        .setIssuedAt(exp - 900)
        .setExpirationTime(exp)
        .sign(await importJWK(privateJwk, 'EdDSA'));
    };
    const now = () => Math.floor(Date.now() / 1000);

    before(async () => {
      running = await startTestProcess(target, allInOneServices());
      users = running.services.user;
      for (const role of ['customer', 'admin'] as const) {
        accounts[role] = { email: `${role}@matrix.dema.dev`, password: 'correct-horse-battery-staple' };
        await users.identity.createUser(accounts[role].email, accounts[role].password, role, role);
      }
      const adminToken = await login('admin');
      const customerToken = await login('customer');
      baitAdminToken = await login('admin');
      const baitCustomerToken = await login('customer');
      const asAdmin = { authorization: `Bearer ${adminToken}` };

      fixtures.category = await created(await call('POST', '/api/categories', { ...asAdmin, body: { name: 'Matrix Kitchen' } }), 'a category');
      fixtures.doomedCategory = await created(await call('POST', '/api/categories', { ...asAdmin, body: { name: 'Matrix Empty' } }), 'a category');
      const product = { price: 10, stock: 5, categoryId: fixtures.category };
      fixtures.product = await created(await call('POST', '/api/products', { ...asAdmin, body: { ...product, name: 'Matrix Pan' } }), 'a product');
      fixtures.doomedProduct = await created(await call('POST', '/api/products', { ...asAdmin, body: { ...product, name: 'Matrix Pot' } }), 'a product');
      fixtures.user = (await users.identity.createUser('member@matrix.dema.dev', 'correct-horse-battery-staple', 'Member', 'customer')).id;
      fixtures.doomedUser = (await users.identity.createUser('doomed@matrix.dema.dev', 'correct-horse-battery-staple', 'Doomed', 'customer')).id;
      fixtures.customer = decodeJwt(customerToken).sub!;
      fixtures.order = await created(
        await call('POST', '/api/orders', { ...asAdmin, body: { items: [{ productId: fixtures.product, quantity: 1 }] } }),
        'an order',
      );
      const zone = (name: string) => call('POST', '/api/shipping-zones', { ...asAdmin, body: { name, countries: ['US'] } });
      fixtures.zone = await created(await zone('Matrix Zone'), 'a shipping zone');
      fixtures.doomedZone = await created(await zone('Matrix Doomed Zone'), 'a shipping zone');
      const method = (name: string) =>
        call('POST', `/api/shipping-zones/${fixtures.zone}/methods`, { ...asAdmin, body: { name, rate: { kind: 'flat', amount: 5 } } });
      fixtures.method = await created(await method('Matrix Standard'), 'a shipping method');
      fixtures.doomedMethod = await created(await method('Matrix Express'), 'a shipping method');
      const taxRate = (region: string) => call('POST', '/api/tax-rates', { ...asAdmin, body: { name: `Matrix ${region}`, country: 'US', region, rate: '5' } });
      fixtures.taxRate = await created(await taxRate('CA'), 'a tax rate');
      fixtures.doomedTaxRate = await created(await taxRate('NY'), 'a tax rate');
      const promotion = (code: string) => call('POST', '/api/promotions', { ...asAdmin, body: { code, kind: 'free_shipping' } });
      fixtures.promotion = await created(await promotion('MATRIX'), 'a promotion');
      fixtures.doomedPromotion = await created(await promotion('MATRIX-DOOMED'), 'a promotion');
      // A public address (IP literal: no DNS) and an event the matrix never causes, so nothing is sent.
      const webhook = (path: string) =>
        call('POST', '/api/webhooks', { ...asAdmin, body: { url: `https://93.184.215.14/${path}`, events: ['payment.failed'] } });
      fixtures.webhook = await created(await webhook('matrix'), 'a webhook endpoint');
      fixtures.doomedWebhook = await created(await webhook('doomed'), 'a webhook endpoint');

      const db = await running.infra.database('user');
      const { rows } = await db.query<{ private_jwk: JWK; public_jwk: JWK }>(
        'SELECT private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1',
      );
      privateJwk = rows[0]!.private_jwk;
      const publicJwk = rows[0]!.public_jwk;

      const bait = decodeJwt(baitAdminToken);
      const header = decodeProtectedHeader(baitAdminToken);
      const [encodedHeader, encodedPayload, signature] = baitAdminToken.split('.') as [string, string, string];
      const payloadText = new TextDecoder().decode(base64url.decode(encodedPayload));
      const sidAt = payloadText.indexOf(bait.sid as string);
      const flipped = payloadText[sidAt] === 'a' ? 'b' : 'a';
      const tamperedPayload = payloadText.slice(0, sidAt) + flipped + payloadText.slice(sidAt + 1);
      const [customerHeader, , customerSignature] = baitCustomerToken.split('.') as [string, string, string];
      const escalatedPayload = JSON.stringify({ ...decodeJwt(baitCustomerToken), role: 'admin' });
      const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const claims = { role: 'admin', sid: bait.sid };
      const fresh = (builder: SignJWT) =>
        builder.setSubject(bait.sub!).setIssuer(accessTokenIssuer).setAudience(accessTokenAudience).setIssuedAt().setExpirationTime('10m');

      const tokens: Record<CallerName, string | undefined> = {
        anonymous: undefined,
        customer: customerToken,
        admin: adminToken,
        expired: await signWithRealKey(bait, now() - 120),
        tampered: `${encodedHeader}.${base64url.encode(tamperedPayload)}.${signature}`,
        escalated: `${customerHeader}.${base64url.encode(escalatedPayload)}.${customerSignature}`,
        'foreign-key': await fresh(new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: header.kid!, typ: 'at+jwt' })).sign(foreign.privateKey),
        'alg-none': `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ ...bait, exp: now() + 600 }))}.`,
        'hs256-public-key': await fresh(new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: header.kid!, typ: 'at+jwt' })).sign(
          base64url.decode(publicJwk.x!),
        ),
        'wrong-audience': await signWithRealKey(bait, now() + 600, 'someone-else'),
        'not-bearer': undefined,
      };
      for (const name of callerNames) authorization[name] = tokens[name] === undefined ? undefined : `Bearer ${tokens[name]}`;
      authorization['not-bearer'] = `Basic ${Buffer.from(`${accounts.admin.email}:${accounts.admin.password}`).toString('base64')}`;
    });
    after(() => running.dispose());

    test('the OpenAPI document lists exactly the routes the matrix covers', async () => {
      const document = (await (await call('GET', '/api/docs/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/api/') || path.startsWith('/.well-known/'))
        .flatMap(([path, operations]) =>
          Object.keys(operations)
            .filter((m) => methods.includes(m))
            .map((m) => `${m.toUpperCase()} ${path}`),
        )
        .sort();
      assert.deepEqual(documented, Object.keys(matrix).sort());
    });

    test('the OpenAPI document marks exactly the routes that need a signed-in caller with bearer security', async () => {
      const document = (await (await call('GET', '/api/docs/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
      for (const [route, spec] of Object.entries(matrix)) {
        const [method, path] = route.split(' ') as [string, string];
        const operation = document.paths[path]?.[method.toLowerCase()];
        const needsSignIn = outcomeFor(spec.access, { kind: 'anonymous' }) === 401;
        const bearer = (operation?.security ?? []).some((scheme) => typeof scheme === 'object' && scheme !== null && 'bearer' in scheme);
        assert.equal(bearer, needsSignIn, `${route} security in the OpenAPI document`);
      }
    });

    test('every route declares (config.permission / config.authenticated) the access the matrix expects', async () => {
      const declared = new Map<string, Access>();
      const scratch = createHttpServer({
        log: running.infra.log,
        metrics: running.infra.metrics,
        authenticate: async () => ({ kind: 'anonymous' }),
        bodyLimit: running.infra.config.bodyLimit,
        service: 'matrix',
      });
      scratch.addHook('onRoute', (route) => {
        const config = (route.config ?? {}) as Access;
        for (const method of [route.method].flat()) {
          declared.set(`${method} ${openApiPath(route.url)}`, { permission: config.permission, authenticated: config.authenticated });
        }
      });
      const services: ServiceModule[] = Object.values(running.services);
      declareSchemas(scratch, services);
      for (const service of services) await scratch.register(async (scope) => service.routes(scope));
      await scratch.ready();
      await scratch.close();
      for (const [route, spec] of Object.entries(matrix)) {
        const access = declared.get(route);
        assert.ok(access, `${route} is not registered by any service`);
        for (const principal of [callerKinds.anonymous.principal, user('customer'), user('admin')]) {
          const who = principal.kind === 'anonymous' ? 'anonymous' : principal.role;
          assert.equal(outcomeFor(access, principal), outcomeFor(spec.access, principal), `${route} for ${who}: declared ${JSON.stringify(access)}`);
        }
      }
    });

    test('the forged tokens differ from good ones only in their defect: the same key and claims with a future exp and the right audience are accepted', async () => {
      const good = await signWithRealKey(decodeJwt(baitAdminToken), now() + 600);
      const response = await call('GET', '/api/users', { authorization: `Bearer ${good}` });
      assert.equal(response.status, 200, await response.text());
      const bait = await call('GET', '/api/users', { authorization: `Bearer ${baitAdminToken}` });
      assert.equal(bait.status, 200, 'the token the tampered one was made from works');
    });

    test('a 401 for a missing token tells the caller to use a Bearer token (WWW-Authenticate, RFC 9110 §15.5.2, RFC 6750 §3)', async () => {
      const response = await call('GET', '/api/users/me');
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '(none)', /^Bearer\b/);
    });

    test('a 401 for a bad token says invalid_token in WWW-Authenticate (RFC 6750 §3.1)', async () => {
      const response = await call('GET', '/api/users/me', { authorization: authorization.expired });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '(none)', /^Bearer\b.*error="invalid_token"/);
    });

    for (const [route, spec] of Object.entries(matrix)) {
      const [method, path] = route.split(' ') as [string, string];
      for (const caller of callerNames) {
        const outcome = expected(route, caller);
        test(`${route} as ${caller} → ${describeOutcome(outcome)}`, async () => {
          const url = spec.id ? path.replace(/\{\w+\}/, fixtures[spec.id]) : path;
          const body = 'body' in spec ? spec.body : method === 'POST' || method === 'PUT' ? {} : undefined;
          let header = authorization[caller];
          if (spec.endsSession && (caller === 'customer' || caller === 'admin')) header = `Bearer ${await login(caller)}`;
          const response = await call(method, url, { authorization: header, body });
          const text = await response.text();
          const context = `${callerKinds[caller].what}: ${response.status} ${text.slice(0, 300)}`;
          if (outcome === 'allowed' && spec.needsRefreshCookie) {
            assert.equal(response.status, 401, context);
            assert.equal(JSON.parse(text).code, 'INVALID_REFRESH_TOKEN', context);
            return;
          }
          if (outcome === 'allowed') {
            assert.ok(response.status !== 401 && response.status !== 403, context);
            assert.ok(response.status < 500, context);
            return;
          }
          assert.equal(response.status, outcome, context);
          assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType, context);
          assert.equal(JSON.parse(text).code, outcome === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', context);
        });
      }
    }

    // Fastify answers HEAD on every GET route; the HEAD must be guarded like its GET.
    for (const route of Object.keys(matrix).filter((r) => r.startsWith('GET '))) {
      const path = route.slice('GET '.length);
      const spec = matrix[route]!;
      for (const caller of ['anonymous', 'customer', 'expired'] as const) {
        const outcome = expected(route, caller);
        test(`HEAD ${path} as ${caller} → ${describeOutcome(outcome)}, like its GET`, async () => {
          const url = spec.id ? path.replace(/\{\w+\}/, fixtures[spec.id]) : path;
          const response = await call('HEAD', url, { authorization: authorization[caller] });
          if (outcome === 'allowed') assert.ok(response.status !== 401 && response.status !== 403 && response.status < 500, String(response.status));
          else assert.equal(response.status, outcome);
        });
      }
    }
  });
}
