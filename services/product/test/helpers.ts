import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreateProduct, Product } from '@dema/contracts';
import { startTestProcess, type ServicesOf, type TestProcess, type TestTarget } from '@dema/platform/testing';
import type { DemaConfig, MigrationSource, OutboxRelay } from '@dema/platform';
import { createUserService } from '@dema/user';
import { createProductService } from '../src/app.ts';

/** The Product service, with the User service to sign the admin and customer in. */
const productServices = { user: createUserService, product: createProductService };

export interface ProductTestProcess extends TestProcess<ServicesOf<typeof productServices>> {
  /** An admin's access token, from a real login. */
  adminToken: string;
  /** A customer's access token, from a real login. */
  customerToken: string;
  /** A request with the admin token. */
  admin(method: string, url: string, body?: unknown): Promise<Response>;
  anonymous(method: string, url: string, body?: unknown): Promise<Response>;
  createCategory(name?: string): Promise<{ id: string; slug: string }>;
  /** Without `categoryId`, the product goes to the default category. */
  createProduct(input: Partial<CreateProduct>): Promise<Product>;
  /** The service's outbox relay. */
  relay(): OutboxRelay;
  /** Rows in a table of the product schema, read straight from the database. */
  count(table: string): Promise<number>;
}

export async function startProductService(target: TestTarget, overrides: Partial<DemaConfig> = {}): Promise<ProductTestProcess> {
  const running = await startTestProcess(target, productServices, overrides);
  const users = running.services.user;
  const login = async (email: string, role: 'admin' | 'customer') => {
    const password = 'correct-horse-battery-staple';
    await users.identity.createUser(email, password, role, role);
    return (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
  };
  const adminToken = await login('admin@test.dema.dev', 'admin');
  const customerToken = await login('customer@test.dema.dev', 'customer');
  const send = (token: string | undefined) => async (method: string, url: string, body?: unknown) =>
    fetch(`${running.url}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const admin = send(adminToken);
  let categories = 0;
  return {
    ...running,
    adminToken,
    customerToken,
    admin,
    anonymous: send(undefined),
    async createCategory(name = `Category ${++categories}`) {
      const response = await admin('POST', '/api/categories', { name });
      if (response.status !== 201) throw new Error(`creating a category: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; slug: string };
    },
    async createProduct(input) {
      const body = { name: 'Test product', price: 10, ...(input.variants ? {} : { stock: 5 }), ...input };
      const response = await admin('POST', '/api/products', body);
      if (response.status !== 201) throw new Error(`creating a product: ${response.status} ${await response.text()}`);
      return (await response.json()) as Product;
    },
    relay: () => running.services.product.relay,
    async count(table: string) {
      const db = await running.infra.database('product');
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0]!.n;
    },
  };
}

export type MigrationCut = MigrationSource & { remove(): Promise<void> };

const migrationsDir = fileURLToPath(new URL('../src/db/migrations/', import.meta.url));

/**
 * The service's migrations whose file names `keep` accepts, copied to a folder of their own under
 * the same scope and names: a database migrated with them stands where an install stood at that
 * point, and migrating it with a later cut applies only the files in between. `remove` deletes it.
 */
export async function productMigrationsWhere(keep: (file: string) => boolean): Promise<MigrationCut> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dema-product-migrations-'));
  for (const file of await readdir(migrationsDir))
    if (file.endsWith('.sql') && keep(file)) await copyFile(path.join(migrationsDir, file), path.join(dir, file));
  return { scope: 'product', dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
