import Type, { type Static } from 'typebox';

/**
 * The audit log (issue 21): one entry per admin action, written by the service that makes the change
 * (an AUDIT_RECORDED event in its outbox, in the change's transaction) and kept by the Analytics
 * service, append-only. `before`/`after` are the resource as the API shows it, null when it did not
 * exist before (created) or after (deleted).
 */
export const AuditEntry = Type.Object(
  {
    /** The AUDIT_RECORDED event's id. */
    id: Type.String({ format: 'uuid' }),
    /** The signed-in caller, or `systemActor.id` for a change made from the shop's machine. */
    actorId: Type.String({ format: 'uuid' }),
    /** The caller's role then, or `system`. */
    actorRole: Type.String(),
    /** `<resourceType>.<verb>`, e.g. `product.updated`. */
    action: Type.String(),
    resourceType: Type.String(),
    resourceId: Type.String(),
    before: Type.Unknown(),
    after: Type.Unknown(),
    /** The `x-request-id` of the request that made the change (the gateway's, or a new one). */
    requestId: Type.String(),
    /** When the change was made. */
    at: Type.String({ format: 'date-time' }),
  },
  { $id: 'AuditEntry' },
);
export type AuditEntry = Static<typeof AuditEntry>;

/**
 * Who made a change the audit log records though no signed-in caller made it: an operator's command
 * on the shop's machine (the first admin, from `DEMA_ADMIN_EMAIL` or `create-admin`). The nil UUID,
 * which no account has, and a role no account has.
 */
export const systemActor = { id: '00000000-0000-0000-0000-000000000000', role: 'system' } as const;

export const AuditEntryPage = Type.Object(
  { items: Type.Array(Type.Ref('AuditEntry')), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() },
  { $id: 'AuditEntryPage' },
);
export type AuditEntryPage = { items: AuditEntry[]; total: number; limit: number; offset: number };

const Filter = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 200, description }));

/** `GET /api/admin/audit`: every filter given must match; newest first. */
export const AuditQuery = Type.Object(
  {
    actorId: Type.Optional(Type.String({ format: 'uuid', description: 'Who acted' })),
    action: Filter('Exactly this action, e.g. product.updated'),
    resourceType: Filter('Exactly this resource type, e.g. product'),
    resourceId: Filter('Exactly this resource id'),
    requestId: Filter('Exactly this request id'),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'At or after this instant' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Before this instant' })),
    q: Filter('Text anywhere in the action, resource or the before/after values (case-insensitive)'),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;
