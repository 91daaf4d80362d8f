import Type, { type Static } from 'typebox';
import { passwordPolicy } from './identity.ts';

/**
 * Account recovery and the emails customers receive (issue 21): password reset, email
 * verification, and the local mailbox an admin reads when no mail server is configured.
 */

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
/** The token of an emailed link: what follows `token=` in it. */
const LinkToken = Type.String({ minLength: 1, maxLength: 200 });

/** `POST /api/auth/password-reset`: the address to send a reset link to. */
export const PasswordResetRequest = Type.Object({ email: Email }, { additionalProperties: false });
export type PasswordResetRequest = Static<typeof PasswordResetRequest>;

/** `POST /api/auth/password-reset/confirm`: the emailed token and the new password. */
export const PasswordResetConfirm = Type.Object(
  {
    token: LinkToken,
    newPassword: Type.String({
      ...passwordPolicy,
      description: `${passwordPolicy.minLength} to ${passwordPolicy.maxLength} characters, not a common password`,
    }),
  },
  { additionalProperties: false },
);
export type PasswordResetConfirm = Static<typeof PasswordResetConfirm>;

/** `POST /api/auth/verify-email`: the emailed token. */
export const VerifyEmailBody = Type.Object({ token: LinkToken }, { additionalProperties: false });
export type VerifyEmailBody = Static<typeof VerifyEmailBody>;

/** The answer to a reset request, the same whether or not an account has the address. */
export const Accepted = Type.Object({ message: Type.String() }, { $id: 'Accepted' });
export type Accepted = Static<typeof Accepted>;

/** One email of the local mailbox (the embedded defaults' stand-in for a mail server). */
export const MailboxEmail = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    from: Type.String(),
    to: Type.String(),
    subject: Type.String(),
    text: Type.String(),
    html: Type.String(),
    sentAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'MailboxEmail' },
);
export type MailboxEmail = Static<typeof MailboxEmail>;

export const MailboxPage = Type.Object(
  {
    /** `smtp`: emails go to the mail server and the mailbox stays empty. */
    transport: Type.Union([Type.Literal('mailbox'), Type.Literal('smtp')]),
    items: Type.Array(Type.Ref('MailboxEmail')),
  },
  { $id: 'MailboxPage' },
);
export type MailboxPage = { transport: 'mailbox' | 'smtp'; items: MailboxEmail[] };

export const MailboxQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Only emails to this address' })),
  },
  { additionalProperties: false },
);
export type MailboxQuery = Static<typeof MailboxQuery>;
