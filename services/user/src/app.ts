import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AccessToken,
  Accepted,
  Address,
  MailboxEmail,
  MailboxPage,
  CookieSession,
  SavedAddress,
  SavedAddressList,
  Session,
  TokenPair,
  User,
  UserPage,
} from '@dema/contracts';
import { platformMigrations, runMigrations, type Db, type Infrastructure, type Logger, type ServiceModule } from '@dema/platform';
import { Identity } from './identity.ts';
import { AddressBook } from './address-book.ts';
import { addressRoutes } from './routes/addresses.routes.ts';
import { KeyRing } from './keys.ts';
import { seedDemoUsers, type DemoAccounts } from './db/seed-demo.ts';
import { authRoutes, cookieAuthRoutes } from './routes/auth.routes.ts';
import { userRoutes } from './routes/users.routes.ts';
import { sessionRoutes } from './routes/sessions.routes.ts';
import { mailboxRoutes } from './routes/mailbox.routes.ts';
import { accountRecoveryRoutes } from './routes/account-recovery.routes.ts';
import { AccountRecovery } from './account-recovery.ts';
import { consumeAdminNotices } from './events/admin-notices.ts';
import { consumeOrderEvents } from './events/order-emails.ts';
import { EmailSender } from './mail/email-sender.ts';
import { MailTemplates } from './mail/templates.ts';
import { MailboxTransport, SmtpTransport } from './mail/transports.ts';

export { KeyRing, keyRetirementSeconds } from './keys.ts';
export { describeDemoAccounts, type DemoAccounts } from './db/seed-demo.ts';

const migrations = { scope: 'user', dir: fileURLToPath(new URL('./db/migrations/', import.meta.url)) };

export type UserService = ServiceModule & {
  identity: Identity;
  recovery: AccountRecovery;
  keys: KeyRing;
  mail: EmailSender;
  demoAccounts: DemoAccounts | undefined;
};

/**
 * `DEMA_ADMIN_EMAIL` + `DEMA_ADMIN_PASSWORD`, read on every start: an account that already has the
 * email and is not an admin stays as it is (an error in the log says how to promote it on purpose).
 */
export async function ensureFirstAdmin(identity: Identity, admin: { email: string; password: string }, log: Logger): Promise<void> {
  const { outcome, user } = await identity.ensureAdmin(admin.email, admin.password);
  if (outcome === 'created') log.info({ email: user.email }, 'created the first admin (DEMA_ADMIN_EMAIL)');
  if (outcome === 'not-admin') {
    log.error(
      { email: user.email, role: user.role },
      `DEMA_ADMIN_EMAIL names an existing ${user.role} account, which was NOT made an admin. To promote it (this sets its password and ends all its sessions), run: npm run dema -- create-admin --email ${user.email} --promote; or set DEMA_ADMIN_EMAIL to an address no account uses.`,
    );
  }
}

/**
 * The User service (seed: User Service, User DB, Authentication Flow, Session Store): accounts,
 * argon2id credentials, EdDSA access tokens with a JWKS, rotating refresh tokens, and the
 * admin's user management (each change in the audit log, through its outbox); the emails to
 * customers about their orders, and to admins about a webhook endpoint disabled for failing.
 */
export async function createUserService(infra: Infrastructure): Promise<UserService> {
  const db = await infra.database('user');
  await runMigrations(db, [platformMigrations, migrations]);
  // Only the audit log's entries go through it (a role changed, an account deleted): polled, not woken.
  const relay = infra.outboxRelay(db, infra.log.child({ service: 'user' }));
  const keys = await KeyRing.load(db, { configuredPrivateJwk: infra.config.jwtPrivateKey, encryptionKey: infra.config.keyEncryptionKey });
  const mail = createEmailSender(db, infra);
  const recovery = new AccountRecovery(db, infra.sessions, infra.limiter, mail, infra.config.mail.publicUrl);
  const identity = new Identity(db, keys, infra.sessions, infra.limiter, recovery);
  // Sessions ended before this start (an embedded store starts empty) and whenever Redis cannot answer.
  await infra.sessions.useSource(identity.sessionState, { authoritative: true });
  const demoAccounts = await seedDemoUsers(infra, identity);
  if (infra.config.firstAdmin) await ensureFirstAdmin(identity, infra.config.firstAdmin, infra.log);
  return {
    name: 'user',
    identity,
    recovery,
    keys,
    mail,
    demoAccounts,
    schemas: [User, UserPage, TokenPair, Session, AccessToken, CookieSession, Address, SavedAddress, SavedAddressList, Accepted, MailboxEmail, MailboxPage],
    accessTokenKeys: keys.verifier(),
    async routes(app) {
      await authRoutes(app, identity, keys);
      await cookieAuthRoutes(app, identity, new Set(infra.config.corsOrigins));
      await userRoutes(app, identity);
      await sessionRoutes(app, identity);
      await addressRoutes(app, new AddressBook(db));
      await accountRecoveryRoutes(app, recovery);
      await mailboxRoutes(app, mail.transport);
    },
    start() {
      relay.start();
      mail.start();
      consumeOrderEvents(infra.bus, db, mail, infra.config.mail.publicUrl).catch((err: unknown) =>
        infra.log.error({ err }, 'user: cannot consume order events'),
      );
      consumeAdminNotices(infra.bus, db, mail, infra.config.mail.publicUrl).catch((err: unknown) =>
        infra.log.error({ err }, 'user: cannot consume admin notices'),
      );
    },
    async close() {
      await relay.stop();
      await mail.stop();
    },
  };
}

/** SMTP when DEMA_MAIL_SMTP_URL is set, else the local mailbox under the data dir. */
function createEmailSender(db: Db, infra: Infrastructure): EmailSender {
  const settings = infra.config.mail;
  const transport = settings.smtpUrl ? new SmtpTransport(settings.smtpUrl) : new MailboxTransport(path.join(infra.config.dataDir, 'mail'));
  const templates = new MailTemplates(settings.templatesDir, { storeName: settings.storeName, publicUrl: settings.publicUrl });
  return new EmailSender(db, templates, transport, infra.log.child({ component: 'mail' }), { from: settings.from, retryBaseMs: settings.retryBaseMs });
}
