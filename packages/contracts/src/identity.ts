import Type, { type Static } from 'typebox';
import { AddressRef, type Address } from './addresses.ts';
import { Name } from './names.ts';

/**
 * Identity contracts (seed: User Service, Authentication Flow): accounts, the token pair the login
 * sequence returns, and the claims every service reads from an access token.
 */

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const passwordPolicy = { minLength: 12, maxLength: 128 } as const;
/** A password being set: the policy's length bounds here, the common-password check in the service. */
const NewPassword = Type.String({
  ...passwordPolicy,
  description: `${passwordPolicy.minLength} to ${passwordPolicy.maxLength} characters, not a common password`,
});
/** A password being checked: no policy (it would tell an attacker what exists), only a sane bound. */
const GivenPassword = Type.String({ minLength: 1, maxLength: 1024 });

export const User = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    name: Type.String(),
    role: Type.Union([Type.Literal('customer'), Type.Literal('admin')]),
    disabled: Type.Boolean(),
    /**
     * Whether the owner opened the verification link emailed at signup (or a reset link). Always in
     * the API's answers; optional in the type so that users built by older clients and fixtures still fit.
     */
    emailVerified: Type.Optional(Type.Boolean()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'User' },
);
export type User = Static<typeof User>;

export const UserPage = Type.Object(
  { items: Type.Array(Type.Ref('User')), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() },
  { $id: 'UserPage' },
);
export type UserPage = { items: User[]; total: number; limit: number; offset: number };

export const TokenPair = Type.Object(
  {
    accessToken: Type.String({ description: 'JWT (EdDSA), valid for `expiresIn` seconds' }),
    refreshToken: Type.String({ description: 'Opaque, single use: each refresh returns a new one' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer(),
  },
  { $id: 'TokenPair' },
);
export type TokenPair = Static<typeof TokenPair>;

export const Session = Type.Object({ user: Type.Ref('User'), tokens: Type.Ref('TokenPair') }, { $id: 'Session' });
export type Session = { user: User; tokens: TokenPair };

/** An access token alone: what the cookie flow answers, its refresh token being in an httpOnly cookie. */
export const AccessToken = Type.Object(
  {
    accessToken: Type.String({ description: 'JWT (EdDSA), valid for `expiresIn` seconds' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer(),
  },
  { $id: 'AccessToken' },
);
export type AccessToken = Static<typeof AccessToken>;

/** A browser's session in the cookie flow: the account and an access token; the refresh token never reaches a script. */
export const CookieSession = Type.Object({ user: Type.Ref('User'), tokens: Type.Ref('AccessToken') }, { $id: 'CookieSession' });
export type CookieSession = { user: User; tokens: AccessToken };

export const SignupBody = Type.Object({ email: Email, password: NewPassword, name: Name(100) }, { additionalProperties: false });
export type SignupBody = Static<typeof SignupBody>;

export const LoginBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: GivenPassword }, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type RefreshBody = Static<typeof RefreshBody>;

export const UpdateMe = Type.Object(
  {
    name: Type.Optional(Name(100)),
    newPassword: Type.Optional(NewPassword),
    currentPassword: Type.Optional(GivenPassword),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMe = Static<typeof UpdateMe>;

/** Deleting one's own account: the current password, so a stolen access token alone cannot erase it. */
export const DeleteMe = Type.Object({ password: GivenPassword }, { additionalProperties: false });
export type DeleteMe = Static<typeof DeleteMe>;

export const UpdateUser = Type.Object(
  {
    name: Type.Optional(Name(100)),
    role: Type.Optional(Type.Union([Type.Literal('customer'), Type.Literal('admin')])),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUser = Static<typeof UpdateUser>;

export const UserQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Part of the email address' })),
    ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100, description: 'Only these users (repeat the parameter)' })),
  },
  { additionalProperties: false },
);
export type UserQuery = Static<typeof UserQuery>;

/** A customer keeps at most this many addresses. */
export const maxSavedAddresses = 20;

const AddressLabel = Type.String({ minLength: 1, maxLength: 50, description: 'What the customer calls it ("Home", "Office")' });

/** An address in a customer's address book. */
export const SavedAddress = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    label: Type.Union([Type.String(), Type.Null()]),
    /** As checkout takes it: normalised and valid for its country. */
    address: Type.Ref('Address'),
    defaultShipping: Type.Boolean(),
    defaultBilling: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SavedAddress' },
);
export type SavedAddress = Omit<Static<typeof SavedAddress>, 'address'> & { address: Address };

export const SavedAddressList = Type.Object({ items: Type.Array(Type.Ref('SavedAddress')) }, { $id: 'SavedAddressList' });
export type SavedAddressList = { items: SavedAddress[] };

/** `POST /api/users/me/addresses`. A new default takes the place of the one before. */
export const CreateSavedAddress = Type.Object(
  {
    address: AddressRef(),
    label: Type.Optional(Type.Union([AddressLabel, Type.Null()])),
    defaultShipping: Type.Optional(Type.Boolean({ default: false })),
    defaultBilling: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);
export type CreateSavedAddress = { address: Address; label?: string | null; defaultShipping?: boolean; defaultBilling?: boolean };

/** `PATCH /api/users/me/addresses/{id}`: what is present replaces (`address` whole). */
export const UpdateSavedAddress = Type.Object(
  {
    address: Type.Optional(AddressRef()),
    label: Type.Optional(Type.Union([AddressLabel, Type.Null()])),
    defaultShipping: Type.Optional(Type.Boolean()),
    defaultBilling: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateSavedAddress = Partial<CreateSavedAddress>;

/**
 * What an access token asserts; `sid` names the login session (refresh-token family);
 * `email_verified` whether the account's email was verified when the token was issued (a refresh
 * after the verification link was opened issues one that says so).
 */
export interface AccessClaims {
  sub: string;
  role: 'customer' | 'admin';
  sid: string;
  email_verified: boolean;
}

export const accessTokenIssuer = 'dema';
export const accessTokenAudience = 'dema-api';
/** Seconds an access token lives: short, because revocation elsewhere relies on the session store. */
export const accessTokenTtl = 900;
