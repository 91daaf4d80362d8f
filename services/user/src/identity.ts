import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  accessTokenTtl,
  ErrorCode,
  type Principal,
  type Role,
  type Session,
  type SignupBody,
  type TokenPair,
  type UpdateMe,
  type UpdateUser,
  type User,
  type UserPage,
  type UserQuery,
} from '@dema/contracts';
import {
  badRequest,
  conflict,
  credentialsRefused,
  notFound,
  recordAudit,
  recordSystemAudit,
  tooManyRequests,
  unauthenticated,
  unprocessable,
  type Db,
  type Queryable,
  type RateLimiter,
  type SessionStateSource,
  type SessionStore,
} from '@dema/platform';
import * as users from './db/users.repository.ts';
import * as sessions from './db/sessions.repository.ts';
import { useAccountTokens } from './db/account-tokens.repository.ts';
import { normaliseEmail } from './domain/email.ts';
import { digest } from './domain/link-tokens.ts';
import { hashPassword, passwordWeakness, unknownAccountHash, verifyPassword } from './domain/passwords.ts';
import type { KeyRing } from './keys.ts';
import type { SignupEmails } from './account-recovery.ts';

/** Refresh tokens live 30 days; each use replaces it with a new one. */
export const refreshTokenTtl = 30 * 24 * 3600;

/**
 * Throttles (seed: Abuse). Failed logins count per (account, address): a guesser locks only
 * themselves out, never the owner signing in from elsewhere. Per address across accounts, and a
 * higher ceiling per account across addresses for a guesser with many addresses, whose attempts on
 * that account also wait longer the more of them failed.
 */
export const throttles = {
  loginPerAccountAndAddress: { limit: 5, windowSeconds: 15 * 60 },
  loginPerAddress: { limit: 20, windowSeconds: 15 * 60 },
  loginPerAccount: { limit: 50, windowSeconds: 15 * 60 },
  signupPerAddress: { limit: 10, windowSeconds: 60 * 60 },
};

/** After this many failures on an account, each attempt on it waits: 100 ms, doubling, at most 2 s. */
export const loginDelay = { afterFailures: 10, firstMs: 100, maxMs: 2_000 };

/** How long an attempt on an account waits when `count` attempts (this one included) were counted. */
export function loginDelayMs(count: number): number {
  const over = count - loginDelay.afterFailures;
  return over <= 0 ? 0 : Math.min(loginDelay.maxMs, loginDelay.firstMs * 2 ** (over - 1));
}

const pgUniqueViolation = '23505';
const invalidCredentials = () => credentialsRefused(ErrorCode.INVALID_CREDENTIALS, 'The email or password is wrong');
const invalidRefresh = (detail: string) => credentialsRefused(ErrorCode.INVALID_REFRESH_TOKEN, detail);

/**
 * The User service's use cases: the seed's login sequence (validate credentials → issue an access
 * and a refresh token), refresh rotation with reuse detection, sessions that end at once, and the
 * admin's user management. Every session end is written to the User DB and to the session store.
 */
export class Identity {
  constructor(
    private readonly db: Db,
    private readonly keys: KeyRing,
    private readonly store: SessionStore,
    private readonly limiter: RateLimiter,
    private readonly emails: SignupEmails,
  ) {}

  /** The User DB's record of ended sessions, which the session store falls back on. */
  readonly sessionState: SessionStateSource = {
    isEnded: (sid) => sessions.isFamilyEnded(this.db, sid),
    endedWithin: (seconds) => sessions.familiesEndedWithin(this.db, seconds),
  };

  /**
   * Asks for a customer account. Resolves the same way whether or not the email is registered, after
   * the same work (the password is hashed either way): a new email gets the account and a
   * verification email; a registered one gets an "account exists" email to its owner and nothing is
   * created. The caller signs in afterwards with the same credentials.
   */
  async signup(input: SignupBody, address: string): Promise<void> {
    const attempt = await this.limiter.hit(`signup:address:${address}`, throttles.signupPerAddress.windowSeconds);
    if (attempt.count > throttles.signupPerAddress.limit) throw tooManyRequests('Too many signups from this address; try again later', attempt.resetSeconds);
    const email = normaliseEmail(input.email);
    const weakness = passwordWeakness(input.password, email);
    if (weakness) throw badRequest(ErrorCode.WEAK_PASSWORD, `body.password ${weakness}`, [{ name: 'body.password', reason: weakness }]);
    const passwordHash = await hashPassword(input.password);
    // One transaction with writes to commit either way, so that both answers take about as long.
    await this.db.transaction(async (tx) => {
      const user = await users.insertUserIfNew(tx, { email, name: input.name.trim(), role: 'customer', passwordHash });
      if (user) await this.emails.queueVerification(tx, user);
      else await this.emails.queueAccountExists(tx, email);
    });
    this.emails.notify();
  }

  /**
   * Checks the credentials and opens a session. A wrong email and a wrong password get the same
   * answer in about the same time; after too many failures the account and the address are
   * throttled (429 with Retry-After) until the window ends or a login succeeds.
   */
  async login(emailInput: string, password: string, address: string): Promise<Session> {
    const email = normaliseEmail(emailInput);
    let found: users.StoredUser | undefined;
    const valid = await this.throttledPasswordCheck(email, address, async () => {
      found = await users.findUserByEmail(this.db, email);
      const valid = await verifyPassword(found?.password_hash ?? (await unknownAccountHash), password);
      return valid && found !== undefined && found.disabled_at === null;
    });
    const user = found;
    if (!valid || !user) throw invalidCredentials();
    const tokens = await this.db.transaction((tx) => this.startSession(tx, user));
    return { user: users.toUser(user), tokens };
  }

  /**
   * Runs `check` (a password check for the account `email`) under the login throttles: the attempt
   * is counted before it runs, so simultaneous guesses cannot slip between a check and a count; a
   * success takes the attempt back. Throws 429 beyond a limit; waits beyond `loginDelay`.
   */
  private async throttledPasswordCheck(email: string, address: string, check: () => Promise<boolean>): Promise<boolean> {
    const keys = {
      pair: `login:account-address:${email}:${address}`,
      address: `login:address:${address}`,
      account: `login:account:${email}`,
    };
    const [pair, fromAddress, account] = await Promise.all([
      this.limiter.hit(keys.pair, throttles.loginPerAccountAndAddress.windowSeconds),
      this.limiter.hit(keys.address, throttles.loginPerAddress.windowSeconds),
      this.limiter.hit(keys.account, throttles.loginPerAccount.windowSeconds),
    ]);
    if (pair.count > throttles.loginPerAccountAndAddress.limit)
      throw tooManyRequests('Too many failed logins for this account from this address; try again later', pair.resetSeconds);
    if (fromAddress.count > throttles.loginPerAddress.limit)
      throw tooManyRequests('Too many failed logins from this address; try again later', fromAddress.resetSeconds);
    if (account.count > throttles.loginPerAccount.limit)
      throw tooManyRequests('Too many failed logins for this account; try again later', account.resetSeconds);
    const wait = loginDelayMs(account.count);
    if (wait > 0) await delay(wait);
    if (!(await check())) return false;
    // Only failures count: a success clears this address's count on the account and takes back its
    // other hits (the failures of others on the account stay counted).
    await Promise.all([this.limiter.reset(keys.pair), this.limiter.release(keys.address), this.limiter.release(keys.account)]);
    return true;
  }

  /**
   * Exchanges a refresh token for a new pair. Each token works once: presenting one that was
   * already used means it was stolen or replayed, so the whole session (every token descended
   * from that login) ends, and the answer is 401.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    type Outcome = { tokens: TokenPair } | { error: string; revoked?: string };
    const outcome = await this.db.transaction(async (tx): Promise<Outcome> => {
      const tokenHash = digest(refreshToken);
      const presented = await sessions.lockRefreshToken(tx, tokenHash);
      if (!presented) return { error: 'The refresh token is not valid' };
      if (presented.familyRevoked) return { error: 'The session has ended; log in again' };
      if (presented.used) {
        await sessions.revokeFamily(tx, presented.familyId, 'refresh-token-reuse');
        return { error: 'The refresh token was already used; the session has ended', revoked: presented.familyId };
      }
      if (presented.expired) return { error: 'The refresh token has expired; log in again' };
      const user = await users.findUser(tx, presented.userId);
      if (!user || user.disabled_at !== null) return { error: 'The account is disabled' };
      await sessions.markUsed(tx, tokenHash);
      return { tokens: await this.issue(tx, presented.familyId, user) };
    });
    if ('tokens' in outcome) return outcome.tokens;
    // The revocation is committed before the 401 goes out, and reaches access tokens at once.
    if (outcome.revoked) await this.store.revoke([outcome.revoked], accessTokenTtl);
    throw invalidRefresh(outcome.error);
  }

  /** Ends the caller's session: its access tokens stop working now, its refresh token too. */
  async logout(principal: Principal): Promise<void> {
    if (principal.kind !== 'user') throw unauthenticated();
    await this.db.transaction((tx) => sessions.revokeFamily(tx, principal.sessionId, 'logout'));
    await this.store.revoke([principal.sessionId], accessTokenTtl);
  }

  /**
   * Ends the session a refresh token belongs to, used or not: the cookie flow's logout, which has
   * the refresh cookie but maybe no live access token. An unknown token ends nothing.
   */
  async endSessionOf(refreshToken: string): Promise<void> {
    const familyId = await this.db.transaction(async (tx) => {
      const presented = await sessions.lockRefreshToken(tx, digest(refreshToken));
      if (!presented) return undefined;
      await sessions.revokeFamily(tx, presented.familyId, 'logout');
      return presented.familyId;
    });
    if (familyId) await this.store.revoke([familyId], accessTokenTtl);
  }

  async me(principal: Principal): Promise<User> {
    if (principal.kind !== 'user') throw unauthenticated();
    const user = await users.findUser(this.db, principal.userId);
    if (!user) throw unauthenticated('The account no longer exists');
    return users.toUser(user);
  }

  /**
   * Changes the caller's name or password. A new password needs the current one, uses up every
   * reset link sent to the account, and ends every other session.
   */
  async updateMe(principal: Principal, input: UpdateMe, address: string): Promise<User> {
    if (principal.kind !== 'user') throw unauthenticated();
    let passwordHash: string | undefined;
    if (input.newPassword !== undefined) {
      if (input.currentPassword === undefined) throw unprocessable(ErrorCode.VALIDATION_FAILED, 'body.currentPassword', 'is required to change the password');
      const current = await users.findUser(this.db, principal.userId);
      if (!current) throw unauthenticated('The account no longer exists');
      // A stolen access token must not become a way to guess the password without the login's limits.
      const currentPassword = input.currentPassword;
      if (!(await this.throttledPasswordCheck(current.email, address, () => verifyPassword(current.password_hash, currentPassword)))) {
        throw unprocessable(ErrorCode.INVALID_CREDENTIALS, 'body.currentPassword', 'is not your current password');
      }
      const weakness = passwordWeakness(input.newPassword, current.email);
      if (weakness) throw badRequest(ErrorCode.WEAK_PASSWORD, `body.newPassword ${weakness}`, [{ name: 'body.newPassword', reason: weakness }]);
      passwordHash = await hashPassword(input.newPassword);
    }
    const { user, ended } = await this.db.transaction(async (tx) => {
      const updated = await users.updateUser(tx, principal.userId, { name: input.name?.trim(), passwordHash });
      if (!updated) throw unauthenticated('The account no longer exists');
      if (!passwordHash) return { user: updated, ended: [] };
      // A reset link asked for before the change (perhaps by someone who then read the inbox) must
      // not undo it: the link now answers as a used one does.
      await useAccountTokens(tx, principal.userId, 'password-reset');
      // A new password is how an owner shuts out whoever else knew the old one, so every other
      // session ends. The one that made the change stays: it has just proved the current password,
      // and ending it would sign the owner out of the account page they are using.
      const ended = await sessions.revokeUserFamilies(tx, principal.userId, 'password-change', principal.sessionId);
      return { user: updated, ended };
    });
    await this.store.revoke(ended, accessTokenTtl);
    return users.toUser(user);
  }

  /**
   * The owner deletes their account, proving it with the current password (under the login's
   * throttles). Personal data is erased (`users.eraseUser`), every session ends at once, and the
   * email can sign up again. Orders stay in the Order service under the account's id. The last
   * active admin cannot delete itself (409 `LAST_ADMIN`).
   */
  async deleteMe(principal: Principal, password: string, address: string): Promise<void> {
    if (principal.kind !== 'user') throw unauthenticated();
    const current = await users.findUser(this.db, principal.userId);
    if (!current || current.deleted_at !== null) throw unauthenticated('The account no longer exists');
    if (!(await this.throttledPasswordCheck(current.email, address, () => verifyPassword(current.password_hash, password)))) {
      throw unprocessable(ErrorCode.INVALID_CREDENTIALS, 'body.password', 'is not your current password');
    }
    const ended = await this.db.transaction(async (tx) => {
      // Locks the active admins first, the order `updateUser` takes them in.
      const admins = current.role === 'admin' ? await users.lockActiveAdmins(tx) : [];
      if (admins.length === 1 && admins[0] === current.id) {
        throw conflict(ErrorCode.LAST_ADMIN, 'This is the last active admin: make another account an admin before deleting this one');
      }
      if (!(await users.eraseUser(tx, current.id))) throw unauthenticated('The account no longer exists');
      const ended = await sessions.revokeUserFamilies(tx, current.id, 'account-deleted');
      await sessions.deleteUserRefreshTokens(tx, current.id);
      return ended;
    });
    await this.store.revoke(ended, accessTokenTtl);
  }

  async listUsers(query: UserQuery): Promise<UserPage> {
    const { items, total } = await users.listUsers(this.db, query);
    return { items, total, limit: query.limit, offset: query.offset };
  }

  /**
   * The users whose email contains `email`, as CSV records (`userCsvColumns`), read 500 at a time
   * as the consumer takes them: memory does not grow with the number of users.
   */
  async *exportUsers(email: string | undefined): AsyncGenerator<string[]> {
    let after: string | null = null;
    for (;;) {
      const page = await users.usersAfter(this.db, email, after, 500);
      for (const user of page) yield [user.id, user.email, user.name, user.role, String(user.disabled), user.createdAt];
      if (page.length < 500) return;
      after = page.at(-1)!.id;
    }
  }

  async user(id: string): Promise<User> {
    const user = await users.findUser(this.db, id);
    if (!user) throw notFound(ErrorCode.USER_NOT_FOUND, `No user ${id}`);
    return users.toUser(user);
  }

  /**
   * An admin's change of name, role or disabled. A new role or disabling ends the user's sessions.
   * Recorded in the audit log as `action`.
   */
  async updateUser(id: string, input: UpdateUser, action: 'user.updated' | 'user.deleted' = 'user.updated'): Promise<User> {
    const { user, ended } = await this.db.transaction(async (tx) => {
      // Locks every active admin first (then the user), so two admins demoting each other one at a time
      // cannot both see the other as the one who stays.
      const removesAdmin = (input.role !== undefined && input.role !== 'admin') || input.disabled === true;
      const admins = removesAdmin ? await users.lockActiveAdmins(tx) : [];
      const before = await users.findUser(tx, id, true);
      if (!before) throw notFound(ErrorCode.USER_NOT_FOUND, `No user ${id}`);
      // Re-enabling or renaming the tombstone would bring back an account its owner erased.
      if (before.deleted_at !== null && action === 'user.updated')
        throw conflict(ErrorCode.ACCOUNT_DELETED, `User ${id} deleted their account: it cannot be changed`);
      if (removesAdmin && admins.length === 1 && admins[0] === id) {
        throw conflict(ErrorCode.LAST_ADMIN, 'This is the last active admin: make another account an admin before demoting or disabling it');
      }
      const updated = (await users.updateUser(tx, id, { name: input.name?.trim(), role: input.role, disabled: input.disabled }))!;
      const roleChanged = input.role !== undefined && input.role !== before.role;
      const disabled = updated.disabled_at !== null && before.disabled_at === null;
      const ended = roleChanged || disabled ? await sessions.revokeUserFamilies(tx, id, disabled ? 'disabled' : 'role-change') : [];
      await recordAudit(tx, { action, resourceType: 'user', resourceId: id, before: users.toUser(before), after: users.toUser(updated) });
      return { user: updated, ended };
    });
    await this.store.revoke(ended, accessTokenTtl);
    return users.toUser(user);
  }

  /** Deleting an account disables it and ends every session; its orders stay. */
  async deleteUser(id: string): Promise<void> {
    await this.updateUser(id, { disabled: true }, 'user.deleted');
  }

  /**
   * Creates the admin. An existing account with that email becomes an admin with that password
   * only when `promote` says so (whoever signed up with the address earlier must not inherit admin
   * rights unnoticed), and then every session it had ends, in the User DB and the session store:
   * no token issued before the promotion refreshes into an admin token. Every reset link sent to it
   * is used up too. The audit log records the
   * new or promoted admin (`user.created`, `user.updated`) as the system's, with `origin`.
   */
  async createAdmin(emailInput: string, password: string, options: { name?: string; promote?: boolean; origin?: AdminOrigin } = {}): Promise<User> {
    const email = normaliseEmail(emailInput);
    const weakness = passwordWeakness(password, email);
    if (weakness) throw new Error(`the admin password ${weakness}`);
    const passwordHash = await hashPassword(password);
    const origin = options.origin ?? 'create-admin';
    const { user, ended } = await this.db.transaction(async (tx) => {
      const existing = await users.findUserByEmail(tx, email);
      if (!existing) {
        const created = await users.insertUser(tx, { email, name: options.name ?? 'Administrator', role: 'admin', passwordHash });
        const change = { action: 'user.created', resourceType: 'user', resourceId: created.id, before: null, after: users.toUser(created) };
        await recordSystemAudit(tx, change, origin);
        return { user: created, ended: [] };
      }
      if (!options.promote) throw new PromotionRequired(email, existing.role);
      const updated = (await users.updateUser(tx, existing.id, { role: 'admin', disabled: false, passwordHash }))!;
      const change = { action: 'user.updated', resourceType: 'user', resourceId: existing.id, before: users.toUser(existing), after: users.toUser(updated) };
      await recordSystemAudit(tx, change, origin);
      // A reset link asked for before the promotion would otherwise set the new admin's password.
      await useAccountTokens(tx, existing.id, 'password-reset');
      return { user: updated, ended: await sessions.revokeUserFamilies(tx, existing.id, 'promoted') };
    });
    await this.store.revoke(ended, accessTokenTtl);
    return users.toUser(user);
  }

  /**
   * The first admin from the environment (read on every start): created when no account has that
   * email, left alone when an admin has it, and never promoted when a non-admin has it (`not-admin`:
   * the caller says what to do instead).
   */
  async ensureAdmin(emailInput: string, password: string): Promise<{ outcome: 'created' | 'exists' | 'not-admin'; user: User }> {
    const existing = await users.findUserByEmail(this.db, normaliseEmail(emailInput));
    if (existing) return { outcome: existing.role === 'admin' ? 'exists' : 'not-admin', user: users.toUser(existing) };
    try {
      return { outcome: 'created', user: await this.createAdmin(emailInput, password, { origin: 'DEMA_ADMIN_EMAIL' }) };
    } catch (error) {
      // Another instance created it between the look-up and the insert.
      if (error instanceof PromotionRequired || (error as { code?: string }).code === pgUniqueViolation) return this.ensureAdmin(emailInput, password);
      throw error;
    }
  }

  /** Creates an account directly (demo data, tests); signups go through `signup`. */
  async createUser(email: string, password: string, name: string, role: Role): Promise<User> {
    const passwordHash = await hashPassword(password);
    return users.toUser(await users.insertUser(this.db, { email: normaliseEmail(email), name, role, passwordHash }));
  }

  countUsers(): Promise<number> {
    return users.countUsers(this.db);
  }

  private async startSession(tx: Queryable, user: users.StoredUser): Promise<TokenPair> {
    const familyId = await sessions.insertFamily(tx, user.id);
    return this.issue(tx, familyId, user);
  }

  private async issue(tx: Queryable, familyId: string, user: users.StoredUser): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await sessions.insertRefreshToken(tx, familyId, digest(refreshToken), refreshTokenTtl);
    const accessToken = await this.keys.sign({ sub: user.id, role: user.role, sid: familyId, email_verified: user.email_verified_at !== null });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: accessTokenTtl };
  }
}

/** What made an admin outside any request: the command, or the setting read at start. */
export type AdminOrigin = 'create-admin' | 'DEMA_ADMIN_EMAIL';

/** `create-admin` named an account that exists and is not an admin, without `--promote`. */
export class PromotionRequired extends Error {
  override name = 'PromotionRequired';
  constructor(
    readonly email: string,
    readonly role: Role,
  ) {
    const what = role === 'admin' ? 'set its password' : 'make it an admin with this password';
    super(`an account with the email ${email} already exists (role ${role}); to ${what} and end all its sessions, run create-admin again with --promote`);
  }
}
