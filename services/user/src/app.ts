import { fileURLToPath } from 'node:url';
import { Session, TokenPair, User, UserPage } from '@dema/contracts';
import { platformMigrations, runMigrations, type Infrastructure, type ServiceModule } from '@dema/platform';
import { Identity } from './identity.ts';
import { KeyRing } from './keys.ts';
import { seedDemoUsers, type DemoCredentials } from './db/seed-demo.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { userRoutes } from './routes/users.routes.ts';

const migrations = { scope: 'user', dir: fileURLToPath(new URL('./db/migrations/', import.meta.url)) };

export type UserService = ServiceModule & { identity: Identity; keys: KeyRing; demoCredentials: DemoCredentials | undefined };

/**
 * The User service (seed: User Service, User DB, Authentication Flow, Session Store): accounts,
 * argon2id credentials, EdDSA access tokens with a JWKS, rotating refresh tokens, and the
 * admin's user management.
 */
export async function createUserService(infra: Infrastructure): Promise<UserService> {
  const db = await infra.database('user');
  await runMigrations(db, [platformMigrations, migrations]);
  const keys = await KeyRing.load(db, infra.config.jwtPrivateKey);
  const identity = new Identity(db, keys, infra.sessions, infra.limiter);
  const demoCredentials = await seedDemoUsers(infra, identity);
  if (infra.config.firstAdmin) {
    const { email, password } = infra.config.firstAdmin;
    const created = await identity.ensureAdmin(email, password);
    if (created) infra.log.info({ email: created.email }, 'created the first admin (DEMA_ADMIN_EMAIL)');
  }
  return {
    name: 'user',
    identity,
    keys,
    demoCredentials,
    schemas: [User, UserPage, TokenPair, Session],
    accessTokenKeys: keys.verifier(),
    async routes(app) {
      await authRoutes(app, identity, keys);
      await userRoutes(app, identity);
    },
    start: () => undefined,
    close: async () => undefined,
  };
}
