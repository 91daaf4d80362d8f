import { createHash, randomBytes } from 'node:crypto';
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
  AppError,
  notFound,
  tooManyRequests,
  unauthenticated,
  unprocessable,
  type Db,
  type Queryable,
  type RateLimiter,
  type SessionStore,
} from '@dema/platform';
import * as users from './db/users.repository.ts';
import * as sessions from './db/sessions.repository.ts';
import { normaliseEmail } from './domain/email.ts';
import { hashPassword, passwordWeakness, unknownAccountHash, verifyPassword } from './domain/passwords.ts';
import type { KeyRing } from './keys.ts';

/** Refresh tokens live 30 days; each use replaces it with a new one. */
const refreshTokenTtl = 30 * 24 * 3600;

/** Throttles (seed: Abuse): failed logins per account and per address, signups per address. */
export const throttles = {
  loginPerAccount: { limit: 5, windowSeconds: 15 * 60 },
  loginPerAddress: { limit: 20, windowSeconds: 15 * 60 },
  signupPerAddress: { limit: 10, windowSeconds: 60 * 60 },
};

const pgUniqueViolation = '23505';
const invalidCredentials = () => new AppError(401, ErrorCode.INVALID_CREDENTIALS, 'The email or password is wrong');
const invalidRefresh = (detail: string) => new AppError(401, ErrorCode.INVALID_REFRESH_TOKEN, detail);

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
  ) {}

  async signup(input: SignupBody, address: string): Promise<Session> {
    const attempt = await this.limiter.hit(`signup:address:${address}`, throttles.signupPerAddress.windowSeconds);
    if (attempt.count > throttles.signupPerAddress.limit) throw tooManyRequests('Too many signups from this address; try again later', attempt.resetSeconds);
    const email = normaliseEmail(input.email);
    const weakness = passwordWeakness(input.password, email);
    if (weakness) throw new AppError(400, ErrorCode.WEAK_PASSWORD, `body.password ${weakness}`, [{ name: 'body.password', reason: weakness }]);
    const passwordHash = await hashPassword(input.password);
    return this.db
      .transaction(async (tx) => {
        const user = await users.insertUser(tx, { email, name: input.name.trim(), role: 'customer', passwordHash });
        return { user: users.toUser(user), tokens: await this.startSession(tx, user.id, user.role) };
      })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === pgUniqueViolation) {
          throw new AppError(409, ErrorCode.EMAIL_TAKEN, 'An account with this email already exists', [{ name: 'body.email', reason: 'is already registered' }]);
        }
        throw error;
      });
  }

  /**
   * Checks the credentials and opens a session. A wrong email and a wrong password get the same
   * answer in about the same time; after too many failures the account and the address are
   * throttled (429 with Retry-After) until the window ends or a login succeeds.
   */
  async login(emailInput: string, password: string, address: string): Promise<Session> {
    const email = normaliseEmail(emailInput);
    const accountKey = `login:account:${email}`;
    const addressKey = `login:address:${address}`;
    // Count the attempt before checking it: simultaneous guesses cannot slip between a check and a count.
    const [account, fromAddress] = await Promise.all([
      this.limiter.hit(accountKey, throttles.loginPerAccount.windowSeconds),
      this.limiter.hit(addressKey, throttles.loginPerAddress.windowSeconds),
    ]);
    if (account.count > throttles.loginPerAccount.limit) throw tooManyRequests('Too many failed logins for this account; try again later', account.resetSeconds);
    if (fromAddress.count > throttles.loginPerAddress.limit) throw tooManyRequests('Too many failed logins from this address; try again later', fromAddress.resetSeconds);

    const user = await users.findUserByEmail(this.db, email);
    const valid = await verifyPassword(user?.password_hash ?? (await unknownAccountHash), password);
    if (!user || !valid || user.disabled_at !== null) throw invalidCredentials();
    // Only failures count: a success clears the account's count and takes back its address hit.
    await Promise.all([this.limiter.reset(accountKey), this.limiter.release(addressKey)]);
    const tokens = await this.db.transaction((tx) => this.startSession(tx, user.id, user.role));
    return { user: users.toUser(user), tokens };
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
      return { tokens: await this.issue(tx, presented.familyId, user.id, user.role) };
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

  async me(principal: Principal): Promise<User> {
    if (principal.kind !== 'user') throw unauthenticated();
    const user = await users.findUser(this.db, principal.userId);
    if (!user) throw unauthenticated('The account no longer exists');
    return users.toUser(user);
  }

  /** Changes the caller's name or password; a new password needs the current one and ends every other session. */
  async updateMe(principal: Principal, input: UpdateMe): Promise<User> {
    if (principal.kind !== 'user') throw unauthenticated();
    let passwordHash: string | undefined;
    if (input.newPassword !== undefined) {
      if (input.currentPassword === undefined) throw unprocessable(ErrorCode.VALIDATION_FAILED, 'body.currentPassword', 'is required to change the password');
      const current = await users.findUser(this.db, principal.userId);
      if (!current || !(await verifyPassword(current.password_hash, input.currentPassword))) {
        throw unprocessable(ErrorCode.INVALID_CREDENTIALS, 'body.currentPassword', 'is not your current password');
      }
      const weakness = passwordWeakness(input.newPassword, current.email);
      if (weakness) throw new AppError(400, ErrorCode.WEAK_PASSWORD, `body.newPassword ${weakness}`, [{ name: 'body.newPassword', reason: weakness }]);
      passwordHash = await hashPassword(input.newPassword);
    }
    const { user, ended } = await this.db.transaction(async (tx) => {
      const updated = await users.updateUser(tx, principal.userId, { name: input.name?.trim(), passwordHash });
      if (!updated) throw unauthenticated('The account no longer exists');
      const ended = passwordHash ? await sessions.revokeUserFamilies(tx, principal.userId, 'password-change', principal.sessionId) : [];
      return { user: updated, ended };
    });
    await this.store.revoke(ended, accessTokenTtl);
    return users.toUser(user);
  }

  async listUsers(query: UserQuery): Promise<UserPage> {
    const { items, total } = await users.listUsers(this.db, query);
    return { items, total, limit: query.limit, offset: query.offset };
  }

  async user(id: string): Promise<User> {
    const user = await users.findUser(this.db, id);
    if (!user) throw notFound(ErrorCode.USER_NOT_FOUND, `No user ${id}`);
    return users.toUser(user);
  }

  /** An admin's change of name, role or disabled. A new role or disabling ends the user's sessions. */
  async updateUser(id: string, input: UpdateUser): Promise<User> {
    const { user, ended } = await this.db.transaction(async (tx) => {
      const before = await users.findUser(tx, id, true);
      if (!before) throw notFound(ErrorCode.USER_NOT_FOUND, `No user ${id}`);
      const updated = (await users.updateUser(tx, id, { name: input.name?.trim(), role: input.role, disabled: input.disabled }))!;
      const roleChanged = input.role !== undefined && input.role !== before.role;
      const disabled = updated.disabled_at !== null && before.disabled_at === null;
      const ended = roleChanged || disabled ? await sessions.revokeUserFamilies(tx, id, disabled ? 'disabled' : 'role-change') : [];
      return { user: updated, ended };
    });
    await this.store.revoke(ended, accessTokenTtl);
    return users.toUser(user);
  }

  /** Deleting an account disables it and ends every session; its orders stay. */
  async deleteUser(id: string): Promise<void> {
    await this.updateUser(id, { disabled: true });
  }

  /** Creates the admin, or makes an existing account with that email an admin with that password. */
  async createAdmin(emailInput: string, password: string, name = 'Administrator'): Promise<User> {
    const email = normaliseEmail(emailInput);
    const weakness = passwordWeakness(password, email);
    if (weakness) throw new Error(`the admin password ${weakness}`);
    const passwordHash = await hashPassword(password);
    return this.db.transaction(async (tx) => {
      const existing = await users.findUserByEmail(tx, email);
      const user = existing
        ? await users.updateUser(tx, existing.id, { role: 'admin', disabled: false, passwordHash })
        : await users.insertUser(tx, { email, name, role: 'admin', passwordHash });
      return users.toUser(user!);
    });
  }

  /** Creates the admin unless an account with that email exists (the variables are read on first start). */
  async ensureAdmin(emailInput: string, password: string): Promise<User | undefined> {
    if (await users.findUserByEmail(this.db, normaliseEmail(emailInput))) return undefined;
    return this.createAdmin(emailInput, password);
  }

  /** Creates an account directly (demo data, tests); signups go through `signup`. */
  async createUser(email: string, password: string, name: string, role: Role): Promise<User> {
    const passwordHash = await hashPassword(password);
    return users.toUser(await users.insertUser(this.db, { email: normaliseEmail(email), name, role, passwordHash }));
  }

  countUsers(): Promise<number> {
    return users.countUsers(this.db);
  }

  private async startSession(tx: Queryable, userId: string, role: Role): Promise<TokenPair> {
    const familyId = await sessions.insertFamily(tx, userId);
    return this.issue(tx, familyId, userId, role);
  }

  private async issue(tx: Queryable, familyId: string, userId: string, role: Role): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await sessions.insertRefreshToken(tx, familyId, digest(refreshToken), refreshTokenTtl);
    const accessToken = await this.keys.sign({ sub: userId, role, sid: familyId });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: accessTokenTtl };
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
