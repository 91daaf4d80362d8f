/**
 * The seed's authorization rules, the one table every service, the gateway, the web app and the
 * mobile app consult. Anonymous visitors may read the catalog (a storefront must be browsable before
 * signup); every other permission follows the table exactly.
 */
export const permissions = {
  'products:read': ['customer', 'admin'],
  'products:write': ['admin'],
  'orders:read': ['customer', 'admin'],
  'orders:write': ['customer', 'admin'],
  'users:read': ['admin'],
  'users:write': ['admin'],
  'analytics:read': ['admin'],
  /** Payments of every order: marking manual payments paid, refunds (issue 20). */
  'payments:manage': ['admin'],
  /** The store's checkout configuration: shipping zones and methods, tax rates, promotions, settings. */
  'checkout:manage': ['admin'],
  /** Webhook endpoints, their delivery log and redeliveries (issue 21). */
  'webhooks:manage': ['admin'],
  /** The audit log of admin actions: search it (issue 21). Nobody may change it. */
  'audit:read': ['admin'],
} as const;

export type Permission = keyof typeof permissions;
export type Role = (typeof permissions)[Permission][number];
export const roles: readonly Role[] = ['customer', 'admin'];

/** Permissions granted to a caller that presents no credentials. */
export const anonymousPermissions: readonly Permission[] = ['products:read'];

/** The identity a request acts as; `anonymous` when it presented no credentials. */
export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      role: Role;
      sessionId: string;
      /** The access token's `email_verified`; absent (not verified) in tokens issued before that claim existed. */
      emailVerified?: boolean;
    };

export const checkPermission = (user: { role: Role }, permission: Permission): boolean => (permissions[permission] as readonly Role[]).includes(user.role);

/** `checkPermission` extended to anonymous callers. */
export const principalCan = (principal: Principal, permission: Permission): boolean =>
  principal.kind === 'anonymous' ? anonymousPermissions.includes(permission) : checkPermission(principal, permission);
