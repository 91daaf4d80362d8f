import Type, { type Static } from 'typebox';

/**
 * Stable error codes carried in problem+json bodies (`code`). Clients branch on these, never on
 * `title` or `detail`, which are for people.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_BODY: 'MALFORMED_BODY',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  BODY_TOO_DEEP: 'BODY_TOO_DEEP',
  BODY_TOO_COMPLEX: 'BODY_TOO_COMPLEX',
  /** A value passed validation but is outside what the database stores (a number past INT, a character it refuses). */
  VALUE_OUT_OF_RANGE: 'VALUE_OUT_OF_RANGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
  PRODUCT_NOT_FOUND: 'PRODUCT_NOT_FOUND',
  CATEGORY_NOT_FOUND: 'CATEGORY_NOT_FOUND',
  CATEGORY_NOT_EMPTY: 'CATEGORY_NOT_EMPTY',
  /** The default category (`defaultCategoryId`) cannot be deleted. */
  CATEGORY_DEFAULT: 'CATEGORY_DEFAULT',
  CATEGORY_SLUG_TAKEN: 'CATEGORY_SLUG_TAKEN',
  VARIANT_NOT_FOUND: 'VARIANT_NOT_FOUND',
  SKU_TAKEN: 'SKU_TAKEN',
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  /**
   * Said by the clients (`signup` of `@dema/client`), not the API: after a signup, signing in with the
   * same credentials was refused, so the email had an account already; its inbox says what to do.
   */
  SIGNUP_CHECK_EMAIL: 'SIGNUP_CHECK_EMAIL',
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  INVALID_REFRESH_TOKEN: 'INVALID_REFRESH_TOKEN',
  /** An emailed link's token (password reset, email verification) that is unknown, used or expired. */
  INVALID_LINK_TOKEN: 'INVALID_LINK_TOKEN',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  ADDRESS_NOT_FOUND: 'ADDRESS_NOT_FOUND',
  LAST_ADMIN: 'LAST_ADMIN',
  STOCK_MANAGED_BY_VARIANTS: 'STOCK_MANAGED_BY_VARIANTS',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  ORDER_INVALID_TRANSITION: 'ORDER_INVALID_TRANSITION',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_FLIGHT: 'IDEMPOTENCY_KEY_IN_FLIGHT',
  CART_EMPTY: 'CART_EMPTY',
  RESERVATION_RELEASED: 'RESERVATION_RELEASED',
  SHIPPING_UNAVAILABLE: 'SHIPPING_UNAVAILABLE',
  SHIPPING_METHOD_UNAVAILABLE: 'SHIPPING_METHOD_UNAVAILABLE',
  PROMOTION_NOT_APPLICABLE: 'PROMOTION_NOT_APPLICABLE',
  PAYMENT_NOT_FOUND: 'PAYMENT_NOT_FOUND',
  /** The payment is not in a state the request needs (mark-paid on a card payment, a refund before capture). */
  PAYMENT_INVALID_STATE: 'PAYMENT_INVALID_STATE',
  /** The store takes orders only from customers who verified their email; this one has not (as of the access token). */
  EMAIL_NOT_VERIFIED: 'EMAIL_NOT_VERIFIED',
  /** A new verification link was asked for an email that is verified already. */
  EMAIL_ALREADY_VERIFIED: 'EMAIL_ALREADY_VERIFIED',
  /** The account was deleted by its owner: what is left of it is kept for the orders and not changed. */
  ACCOUNT_DELETED: 'ACCOUNT_DELETED',
  /** A refund above what was paid and not yet refunded. */
  REFUND_EXCEEDS_PAID: 'REFUND_EXCEEDS_PAID',
  /** The payment provider refused or could not be reached; nothing was changed. */
  PAYMENT_PROVIDER_ERROR: 'PAYMENT_PROVIDER_ERROR',
  /** A webhook whose signature does not verify; nothing was changed. */
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  SHIPPING_ZONE_NOT_FOUND: 'SHIPPING_ZONE_NOT_FOUND',
  SHIPPING_METHOD_NOT_FOUND: 'SHIPPING_METHOD_NOT_FOUND',
  TAX_RATE_NOT_FOUND: 'TAX_RATE_NOT_FOUND',
  /** Another tax rate already covers this (country, region). */
  TAX_RATE_TAKEN: 'TAX_RATE_TAKEN',
  PROMOTION_NOT_FOUND: 'PROMOTION_NOT_FOUND',
  /** Another promotion has this code, in whatever case. */
  PROMOTION_CODE_TAKEN: 'PROMOTION_CODE_TAKEN',
  WEBHOOK_ENDPOINT_NOT_FOUND: 'WEBHOOK_ENDPOINT_NOT_FOUND',
  WEBHOOK_DELIVERY_NOT_FOUND: 'WEBHOOK_DELIVERY_NOT_FOUND',
  /** The URL resolves to a private, loopback or link-local address (or not at all) and configuration does not allow those. */
  WEBHOOK_URL_REFUSED: 'WEBHOOK_URL_REFUSED',
  /** A redelivery to an endpoint that is disabled: enable it first. */
  WEBHOOK_ENDPOINT_DISABLED: 'WEBHOOK_ENDPOINT_DISABLED',
  /** A catalog import file with rejected rows: `invalidParams` names each as `row N: column`; nothing was imported. */
  IMPORT_ROWS_REJECTED: 'IMPORT_ROWS_REJECTED',
  IMPORT_JOB_NOT_FOUND: 'IMPORT_JOB_NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const InvalidParam = Type.Object({
  /** Where the bad value is, e.g. `body.price` or `query.limit`. */
  name: Type.String(),
  reason: Type.String(),
});

/** RFC 9457 problem details, with Dema's `code` and per-field `invalidParams`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String(),
    invalidParams: Type.Optional(Type.Array(InvalidParam)),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);
export type Problem = Static<typeof Problem>;
export type InvalidParam = Static<typeof InvalidParam>;

export const problemContentType = 'application/problem+json';

/** The `type` URI of a problem: a page of the served docs that explains the code. */
export const problemType = (code: string): string => `/api/docs/problems#${code.toLowerCase()}`;
