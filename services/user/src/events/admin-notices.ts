import { eventConsumers, type DemaEvent, type WebhookEndpointDisabledEvent } from '@dema/contracts';
import type { Db, EventBus } from '@dema/platform';
import { enqueueEmail } from '../db/email-outbox.repository.ts';
import { listActiveAdmins } from '../db/users.repository.ts';
import type { EmailSender } from '../mail/email-sender.ts';

/** The durable consumer name (RabbitMQ queue `dema.user-admin-notices`), apart from the order emails'. */
export const adminNoticesConsumer = 'user-admin-notices';

/**
 * Turns WEBHOOK_ENDPOINT_DISABLED into a `webhook-endpoint-disabled` email to every active admin
 * (neither disabled nor deleted), with the endpoint's URL, the reason and a link to
 * `publicUrl`/admin/webhooks. The emails of one event are queued in one transaction, each keyed by
 * the event's id and the admin's, so a redelivered event queues nothing more; a failure to queue
 * throws, and the bus delivers the event again.
 */
export function consumeAdminNotices(bus: EventBus, db: Db, mail: EmailSender, publicUrl: string): Promise<void> {
  return bus.subscribe(adminNoticesConsumer, eventConsumers[adminNoticesConsumer], async (event) => {
    if ((event as DemaEvent).type !== 'WEBHOOK_ENDPOINT_DISABLED') return;
    const disabled = (event as WebhookEndpointDisabledEvent).payload;
    const queued = await db.transaction(async (tx) => {
      let count = 0;
      for (const admin of await listActiveAdmins(tx)) {
        const data = {
          name: admin.name,
          url: disabled.url,
          reason: disabled.reason,
          failedAttempts: disabled.failedAttempts,
          webhooksLink: `${publicUrl}/admin/webhooks`,
        };
        if (await enqueueEmail(tx, { cause: `event:${event.id}:${admin.id}`, template: 'webhook-endpoint-disabled', to: admin.email, data })) count++;
      }
      return count;
    });
    if (queued > 0) mail.notify();
  });
}
