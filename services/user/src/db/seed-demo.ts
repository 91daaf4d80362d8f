import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Infrastructure } from '@dema/platform';
import type { Identity } from '../identity.ts';

export interface DemoCredentials {
  admin: { email: string; password: string };
  customer: { email: string; password: string };
}

const file = (dataDir: string) => path.join(dataDir, 'demo-credentials.json');

/**
 * The embedded demo's two accounts, a customer and an admin, created with random passwords into an
 * empty user database and kept in the data dir so every start can print them. Only on the embedded
 * database: a PostgreSQL install never gets accounts with credentials written to a file.
 */
export async function seedDemoUsers(infra: Infrastructure, identity: Identity): Promise<DemoCredentials | undefined> {
  if (infra.config.databaseUrls.user || !infra.config.demoData) return undefined;
  if ((await identity.countUsers()) === 0) {
    const credentials: DemoCredentials = {
      admin: { email: 'admin@demo.dema.dev', password: randomBytes(12).toString('base64url') },
      customer: { email: 'customer@demo.dema.dev', password: randomBytes(12).toString('base64url') },
    };
    await identity.createUser(credentials.admin.email, credentials.admin.password, 'Demo Admin', 'admin');
    await identity.createUser(credentials.customer.email, credentials.customer.password, 'Demo Customer', 'customer');
    if (!infra.inMemory) {
      await mkdir(infra.config.dataDir, { recursive: true });
      await writeFile(file(infra.config.dataDir), `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    }
    return credentials;
  }
  if (infra.inMemory) return undefined;
  return JSON.parse(await readFile(file(infra.config.dataDir), 'utf8').catch(() => 'null')) ?? undefined;
}
