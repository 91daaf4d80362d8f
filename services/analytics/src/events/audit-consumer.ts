import { eventConsumers, eventPayloadSchemas, type AuditRecordedEvent, type EventEnvelope } from '@dema/contracts';
import { createAjv, handleInBatches, type Db, type EventBus } from '@dema/platform';
import type { Logger } from 'pino';
import { appendAuditEntries } from '../db/audit-log.repository.ts';

/** The durable consumer name (RabbitMQ queue `dema.audit`), apart from analytics' own so neither holds up the other. */
export const auditConsumer = 'audit';

const validPayload = createAjv({ coerceTypes: false }).compile(eventPayloadSchemas.AUDIT_RECORDED);

/** An AUDIT_RECORDED that breaks its contract: retried by the bus, then dead-lettered, never half-kept. */
export class InvalidAuditEvent extends Error {
  override name = 'InvalidAuditEvent';
}

function checkAuditEvent(event: EventEnvelope): AuditRecordedEvent {
  if (event.type !== 'AUDIT_RECORDED' || !validPayload(event.payload)) {
    throw new InvalidAuditEvent(`event ${event.id} is not a valid AUDIT_RECORDED: ${JSON.stringify(validPayload.errors ?? event.type)}`);
  }
  return event as AuditRecordedEvent;
}

/**
 * Subscribes the audit log to AUDIT_RECORDED. Each batch of deliveries is appended in one
 * statement; the unique event id makes a redelivery add nothing, so no `processed_events` row is
 * needed. A delivery is acked once its batch committed.
 */
export function subscribeAuditLog(bus: EventBus, db: Db, log: Logger): Promise<void> {
  const handle = handleInBatches(async (events) => {
    const checked = events.map(checkAuditEvent);
    await db.transaction((tx) => appendAuditEntries(tx, checked));
  });
  return bus.subscribe(auditConsumer, eventConsumers.audit, async (event) => {
    try {
      await handle(event);
    } catch (error) {
      log.warn({ err: error, eventId: event.id }, 'the audit log could not record an event; the bus will retry it');
      throw error;
    }
  });
}
