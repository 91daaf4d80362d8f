import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Infrastructure } from '@dema/platform';
import type { Identity } from '../identity.ts';

export interface DemoCredentials {
  admin: { email: string; password: string };
  customer: { email: string; password: string };
}

/** The embedded demo's accounts as a start shows them. */
export type DemoAccounts =
  /** Created by this start: the only time the passwords are shown. */
  | (DemoCredentials & { created: true; file: string | undefined })
  /** Created by an earlier start: the passwords are in `file`, not shown again. */
  | { created: false; admin: { email: string }; customer: { email: string }; file: string };

const file = (dataDir: string) => path.join(dataDir, 'demo-credentials.json');
const emails = { admin: 'admin@demo.dema.dev', customer: 'customer@demo.dema.dev' };

/**
 * The embedded demo's two accounts, a customer and an admin, created with random passwords into an
 * empty user database and kept in the data dir (mode 0600). Only on the embedded database: a
 * PostgreSQL install never gets accounts with credentials written to a file.
 */
export async function seedDemoUsers(infra: Infrastructure, identity: Identity): Promise<DemoAccounts | undefined> {
  if (infra.config.databaseUrls.user || !infra.config.demoData) return undefined;
  if ((await identity.countUsers()) === 0) {
    const credentials: DemoCredentials = {
      admin: { email: emails.admin, password: randomBytes(12).toString('base64url') },
      customer: { email: emails.customer, password: randomBytes(12).toString('base64url') },
    };
    await identity.createUser(credentials.admin.email, credentials.admin.password, 'Demo Admin', 'admin');
    await identity.createUser(credentials.customer.email, credentials.customer.password, 'Demo Customer', 'customer');
    if (infra.inMemory) return { ...credentials, created: true, file: undefined };
    await mkdir(infra.config.dataDir, { recursive: true });
    await writeFile(file(infra.config.dataDir), `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    return { ...credentials, created: true, file: file(infra.config.dataDir) };
  }
  if (infra.inMemory) return undefined;
  return { created: false, admin: { email: emails.admin }, customer: { email: emails.customer }, file: file(infra.config.dataDir) };
}

/**
 * What a start prints about the demo accounts: their passwords once, when they are created (a
 * terminal's scrollback or a captured log must not collect them on every start), afterwards only
 * where they are kept.
 */
export function describeDemoAccounts(demo: DemoAccounts): string[] {
  if (demo.created) {
    return [
      `    demo admin:    ${demo.admin.email} / ${demo.admin.password}`,
      `    demo customer: ${demo.customer.email} / ${demo.customer.password}`,
      ...(demo.file ? [`    (shown this once; kept in ${demo.file})`] : []),
    ];
  }
  return [`    demo accounts: ${demo.admin.email}, ${demo.customer.email}; passwords in ${demo.file}`];
}
