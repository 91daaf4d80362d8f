import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { roles, systemActor, type AuditRecordedEvent, type Principal, type Role } from '@dema/contracts';
import type { Queryable } from './db/db.ts';
import { appendToOutbox, createEvent } from './bus/outbox.ts';

/** What the audit log needs of the request a change is made for. */
export interface AuditedRequest {
  id: string;
  principal: Principal;
}

// The request a handler runs for, without threading an `actor` argument through every domain
// method that changes something an admin may change.
const currentRequest = new AsyncLocalStorage<AuditedRequest>();

/** Runs `work`, and everything it starts, as part of `request` (the HTTP kit does it for every route handler). */
export function runForRequest<T>(request: AuditedRequest, work: () => T): T {
  return currentRequest.run(request, work);
}

/** The header a service-to-service call carries the acting user in (see `forwardedRequest`). */
export const actingUserHeader = 'x-dema-acting-user';

/**
 * Headers that carry the request being handled into a call to another service: its id, and the
 * signed-in user it acts for. The called service trusts the user only on routes that checked the
 * service token (`actingUserOf`), so a change it makes there is audited as that user's, in the same
 * request — as it is when both services share one process.
 */
export function forwardedRequest(): Record<string, string> {
  const request = currentRequest.getStore();
  if (request === undefined) return {};
  const headers: Record<string, string> = { 'x-request-id': request.id };
  if (request.principal.kind === 'user') {
    const { userId, role, sessionId } = request.principal;
    headers[actingUserHeader] = Buffer.from(JSON.stringify({ userId, role, sessionId })).toString('base64url');
  }
  return headers;
}

/** The user a service-to-service call acts for (`forwardedRequest`), or undefined when it names none or is malformed. */
export function actingUserOf(header: string | string[] | undefined): Principal | undefined {
  if (typeof header !== 'string') return undefined;
  try {
    const { userId, role, sessionId } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof userId !== 'string' || typeof role !== 'string' || typeof sessionId !== 'string' || !roles.includes(role as Role)) return undefined;
    return { kind: 'user', userId, role: role as Role, sessionId };
  } catch {
    return undefined;
  }
}

/** One admin action: `action` is `<resourceType>.<verb>`; `before`/`after` as the API shows the resource, null when it did not exist. */
export interface AuditedChange {
  action: string;
  resourceType: string;
  resourceId: string;
  before: unknown;
  after: unknown;
}

/**
 * The AUDIT_RECORDED event of `change` made for the request being handled, or undefined when no
 * signed-in caller made it (the seed, a saga, a provider's webhook: not an admin action).
 */
export function auditEventOf(change: AuditedChange): AuditRecordedEvent | undefined {
  const request = currentRequest.getStore();
  if (request === undefined || request.principal.kind !== 'user') return undefined;
  return auditEvent({ id: request.principal.userId, role: request.principal.role }, request.id, change);
}

/**
 * The AUDIT_RECORDED event of `change` made by `systemActor`: an operator's command on the shop's
 * machine, which no request carries but the log must show (who became an admin). Its request id is
 * `origin` (the command or setting, e.g. `create-admin`), a colon and a new UUID, so that searching
 * for the origin finds its entries.
 */
export function systemAuditEventOf(change: AuditedChange, origin: string): AuditRecordedEvent {
  return auditEvent(systemActor, `${origin}:${randomUUID()}`, change);
}

/**
 * Writes `change` to the audit log through `tx`, the transaction that makes it (an AUDIT_RECORDED
 * event in the outbox): recorded if and only if the change commits. Who and which request come from
 * the request being handled; see `auditEventOf` for changes that record nothing.
 */
export async function recordAudit(tx: Queryable, change: AuditedChange): Promise<void> {
  const event = auditEventOf(change);
  if (event) await appendToOutbox(tx, event);
}

/** Writes `change` to the audit log through `tx` like `recordAudit`, as made by the system (`systemAuditEventOf`). */
export async function recordSystemAudit(tx: Queryable, change: AuditedChange, origin: string): Promise<void> {
  await appendToOutbox(tx, systemAuditEventOf(change, origin));
}

function auditEvent(actor: { id: string; role: string }, requestId: string, change: AuditedChange): AuditRecordedEvent {
  return createEvent<AuditRecordedEvent>('AUDIT_RECORDED', {
    actorId: actor.id,
    actorRole: actor.role,
    ...change,
    // JSON's own idea of the values (dates as text, no undefined), as the entry will be read back.
    before: change.before === undefined ? null : JSON.parse(JSON.stringify(change.before)),
    after: change.after === undefined ? null : JSON.parse(JSON.stringify(change.after)),
    requestId,
    timestamp: new Date().toISOString(),
  });
}
