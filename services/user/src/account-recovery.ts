import { accessTokenTtl, ErrorCode, type Principal, type User } from '@dema/contracts';
import { badRequest, conflict, tooManyRequests, unauthenticated, type Db, type Queryable, type RateLimiter, type SessionStore } from '@dema/platform';
import * as users from './db/users.repository.ts';
import * as sessions from './db/sessions.repository.ts';
import {
  accountTokenOwner,
  insertAccountToken,
  lockAccountToken,
  useAccountTokens,
  writeResetDecoy,
  type TokenPurpose,
} from './db/account-tokens.repository.ts';
import { enqueueEmail, enqueueEmailWriting } from './db/email-outbox.repository.ts';
import { normaliseEmail } from './domain/email.ts';
import { digest, newToken } from './domain/link-tokens.ts';
import { hashPassword, passwordWeakness } from './domain/passwords.ts';
import type { EmailSender } from './mail/email-sender.ts';

/** A reset link works for an hour. */
export const passwordResetTtl = 3600;
/** A verification link works for a day. */
export const verificationTtl = 24 * 3600;

/**
 * Reset requests per requesting address and per email asked about (seed: Abuse). Counted whether or
 * not an account has the email, so the throttle tells nothing either.
 */
export const resetThrottles = {
  perAddress: { limit: 10, windowSeconds: 60 * 60 },
  perAccount: { limit: 3, windowSeconds: 60 * 60 },
};

/** Where the web app opens the emailed links (`?token=`). */
export const linkPaths = { passwordReset: '/account/reset-password', verifyEmail: '/account/verify-email', login: '/login' };

const invalidToken = (reason: string) => badRequest(ErrorCode.INVALID_LINK_TOKEN, `body.token ${reason}`, [{ name: 'body.token', reason }]);

/** What signup sends: a link to verify a new account's email, a notice to an address that has one. */
export interface SignupEmails {
  /** Queues the verification email in `tx`, the transaction that creates the account. */
  queueVerification(tx: Queryable, user: { id: string; email: string; name: string }): Promise<void>;
  /** Queues in `tx` the notice to the owner of `email` that someone tried to sign up with it (at most one an hour). */
  queueAccountExists(tx: Queryable, email: string): Promise<void>;
  /** Wakes the sender once the transaction that queued an email committed. */
  notify(): void;
}

/**
 * The account's emailed links: verification at signup, and getting back in with a reset link
 * (single use, one hour, only its hash stored) whose use sets a new password and ends every
 * session of the account.
 */
export class AccountRecovery implements SignupEmails {
  constructor(
    private readonly db: Db,
    private readonly store: SessionStore,
    private readonly limiter: RateLimiter,
    private readonly mail: EmailSender,
    private readonly publicUrl: string,
  ) {}

  /**
   * Emails a reset link when an active account has `emailInput`; otherwise writes only a decoy row,
   * so that both take about as long. Either way the caller learns nothing but whether it was
   * throttled (429), which counts unknown emails like registered ones.
   */
  async requestPasswordReset(emailInput: string, address: string): Promise<void> {
    const email = normaliseEmail(emailInput);
    const [fromAddress, forAccount] = await Promise.all([
      this.limiter.hit(`password-reset:address:${address}`, resetThrottles.perAddress.windowSeconds),
      this.limiter.hit(`password-reset:account:${email}`, resetThrottles.perAccount.windowSeconds),
    ]);
    if (fromAddress.count > resetThrottles.perAddress.limit)
      throw tooManyRequests('Too many password reset requests from this address; try again later', fromAddress.resetSeconds);
    if (forAccount.count > resetThrottles.perAccount.limit)
      throw tooManyRequests('Too many password reset requests for this email; try again later', forAccount.resetSeconds);
    const { token, hash } = newToken();
    // One transaction that commits writes either way, so that the answer takes about as long for an
    // email nobody has: returning at once would tell which emails are registered.
    const queued = await this.db.transaction(async (tx) => {
      const user = await users.findUserByEmail(tx, email);
      if (!user || user.disabled_at !== null) {
        await writeResetDecoy(tx);
        return false;
      }
      const id = await insertAccountToken(tx, user.id, 'password-reset', hash, passwordResetTtl);
      await enqueueEmail(tx, {
        cause: `password-reset:${id}`,
        template: 'password-reset',
        to: user.email,
        data: { name: user.name, link: this.link(linkPaths.passwordReset, token) },
      });
      return true;
    });
    if (queued) this.mail.notify();
  }

  /**
   * Sets the password of the account the reset token was sent to, uses up every reset link it was
   * sent, and ends all its sessions (in the User DB and the session store). A weak password is
   * refused before the token is used, so the link still works for a better one.
   */
  async confirmPasswordReset(token: string, newPassword: string): Promise<void> {
    const ended = await this.db.transaction(async (tx) => {
      const user = await this.lockValidToken(tx, token, 'password-reset');
      const weakness = passwordWeakness(newPassword, user.email);
      if (weakness) throw badRequest(ErrorCode.WEAK_PASSWORD, `body.newPassword ${weakness}`, [{ name: 'body.newPassword', reason: weakness }]);
      await users.updateUser(tx, user.id, { passwordHash: await hashPassword(newPassword) });
      await useAccountTokens(tx, user.id, 'password-reset');
      // The link reached its inbox: the address is theirs.
      await users.markEmailVerified(tx, user.id);
      return sessions.revokeUserFamilies(tx, user.id, 'password-reset');
    });
    await this.store.revoke(ended, accessTokenTtl);
  }

  async queueVerification(tx: Queryable, user: { id: string; email: string; name: string }): Promise<void> {
    const { token, hash } = newToken();
    const id = await insertAccountToken(tx, user.id, 'email-verification', hash, verificationTtl);
    await enqueueEmail(tx, {
      cause: `email-verification:${id}`,
      template: 'verify-email',
      to: user.email,
      data: { name: user.name, link: this.link(linkPaths.verifyEmail, token) },
    });
  }

  notify(): void {
    this.mail.notify();
  }

  async queueAccountExists(tx: Queryable, email: string): Promise<void> {
    // One per account and hour: repeated signups with someone's address must not flood their inbox.
    const hour = Math.floor(Date.now() / 3_600_000);
    await enqueueEmailWriting(tx, {
      cause: `account-exists:${email}:${hour}`,
      template: 'account-exists',
      to: email,
      data: { loginLink: `${this.publicUrl}${linkPaths.login}`, resetLink: `${this.publicUrl}${linkPaths.passwordReset}` },
    });
  }

  /**
   * Emails the signed-in customer a new verification link (the one from signup lasts a day, and a
   * store may take orders only from verified customers); earlier links keep working until they
   * expire. 409 when the email is verified already; throttled per account like reset links.
   */
  async resendVerification(principal: Principal): Promise<void> {
    if (principal.kind !== 'user') throw unauthenticated();
    const { userId } = principal;
    const sent = await this.limiter.hit(`email-verification:account:${userId}`, resetThrottles.perAccount.windowSeconds);
    if (sent.count > resetThrottles.perAccount.limit)
      throw tooManyRequests('Too many verification emails for this account; try again later', sent.resetSeconds);
    await this.db.transaction(async (tx) => {
      const user = await users.findUser(tx, userId, true);
      if (!user || user.disabled_at !== null) throw unauthenticated('The account no longer exists');
      if (user.email_verified_at !== null) throw conflict(ErrorCode.EMAIL_ALREADY_VERIFIED, `${user.email} is verified already`);
      await this.queueVerification(tx, user);
    });
    this.mail.notify();
  }

  /** Marks the account's email verified with the token emailed at signup; 400 naming the token when it cannot. */
  async verifyEmail(token: string): Promise<User> {
    const user = await this.db.transaction(async (tx) => {
      const owner = await this.lockValidToken(tx, token, 'email-verification');
      await useAccountTokens(tx, owner.id, 'email-verification');
      return (await users.markEmailVerified(tx, owner.id))!;
    });
    return users.toUser(user);
  }

  /** The active account a usable token of `purpose` belongs to; 400 naming the token otherwise. */
  private async lockValidToken(tx: Queryable, token: string, purpose: TokenPurpose): Promise<users.StoredUser> {
    // The account's row first, then the token, as deleting an account takes them: two links of one
    // account used at once then wait for each other, instead of each holding its own token while
    // using up the other's (a deadlock on PostgreSQL, a 500).
    const owner = await accountTokenOwner(tx, digest(token), purpose);
    if (owner) await users.findUser(tx, owner, true);
    const presented = await lockAccountToken(tx, digest(token), purpose);
    if (!presented) throw invalidToken('is not a valid link token');
    if (presented.used) throw invalidToken('was already used; ask for a new link');
    if (presented.expired) throw invalidToken('has expired; ask for a new link');
    const user = await users.findUser(tx, presented.userId, true);
    if (!user || user.disabled_at !== null) throw invalidToken('belongs to a disabled account');
    return user;
  }

  private link(path: string, token: string): string {
    return `${this.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  }
}
