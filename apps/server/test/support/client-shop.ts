import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createDemaClient, DemaApiError, login, memoryTokenStore, tokenAuth, type DemaClient } from '@dema/client';
import type { EdgePolicySettings } from '@dema/gateway';
import type { DemaConfig } from '@dema/platform';
import type { TestTarget } from '@dema/platform/testing';
import { allInOneServices } from '../../src/services.ts';
import { startAllInOne, type AllInOne, type AllInOneServices } from './all-in-one.ts';
import { openSubscriptions } from './metrics.ts';

/** Every account's password in `@dema/client`'s tests against the running app. */
export const password = 'tidal-orchid-lantern-42';

/** The token that reads the process's /metrics (open subscriptions). */
const serviceToken = 'client-test-service-token-8d2c';

/** The running app as `@dema/client` meets it: an admin signed in through the client and a product on sale. */
export interface ClientShop {
  dema: AllInOne<AllInOneServices>;
  url: string;
  /** A client signed in as an admin (tokenAuth). */
  admin: DemaClient;
  product: { id: string; name: string; price: number };
  /** A new account of `role`, made by the User service; resolves to its email address. */
  newAccount(role?: 'customer' | 'admin'): Promise<string>;
  /** The process's open GraphQL subscriptions, from its Prometheus scrape. */
  openSubscriptions(): Promise<number>;
}

/**
 * The all-in-one process of `target` (every service, the edge policies; requests from this machine
 * are not rate limited), with an admin and a product with stock 100 — made through `@dema/client`.
 */
export async function startClientShop(
  target: TestTarget,
  policies: Partial<EdgePolicySettings> = {},
  overrides: Partial<DemaConfig> = {},
): Promise<ClientShop> {
  const dema = await startAllInOne(target, allInOneServices(), { rateLimitAllowlist: ['127.0.0.0/8', '::1'], ...policies }, { serviceToken, ...overrides });
  const newAccount = async (role: 'customer' | 'admin' = 'customer') => {
    const email = `${role}.${randomBytes(4).toString('hex')}@client.dema.dev`;
    await dema.services.user.identity.createUser(email, password, `A ${role}`, role);
    return email;
  };
  const admin = createDemaClient({ baseUrl: dema.url, auth: tokenAuth({ store: memoryTokenStore() }) });
  await login(admin, { email: await newAccount('admin'), password });
  const category = await admin.POST('/api/categories', { body: { name: `Kettles ${target.name}` } });
  const product = await admin.POST('/api/products', { body: { name: 'Copper kettle', price: 30, stock: 100, categoryId: category.id } });
  return {
    dema,
    url: dema.url,
    admin,
    product: { id: product.id, name: product.name, price: product.price },
    newAccount,
    openSubscriptions: () => openSubscriptions(dema.url, serviceToken),
  };
}

/** The `DemaApiError` that `call` rejects with; fails when it resolves or rejects with anything else. */
export async function failureOf(call: Promise<unknown>): Promise<DemaApiError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof DemaApiError, `not a DemaApiError: ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}
