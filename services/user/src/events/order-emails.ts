import {
  eventConsumers,
  type DemaEvent,
  type OrderCreatedEvent,
  type OrderStatusChangedEvent,
  type PaymentCapturedEvent,
  type PaymentRefundedEvent,
} from '@dema/contracts';
import { handleInBatches, type Db, type EventBus } from '@dema/platform';
import { enqueueCustomerEmails } from '../db/email-outbox.repository.ts';
import type { EmailSender } from '../mail/email-sender.ts';

/** Events in hand at once, and so the most queued by one statement. */
const orderEmailsPrefetch = 32;

const money = (amount: number | undefined, currency: string) => `${(amount ?? 0).toFixed(2)} ${currency}`;

/** The confirmation's breakdown, one line each: items, then subtotal, discount, shipping, tax and total. */
function breakdown(order: OrderCreatedEvent['payload']): string {
  const currency = order.currency ?? '';
  const lines = order.items.map((item) => `${item.quantity} × ${money(item.price, currency)}  ${money(item.price * item.quantity, currency)}`);
  if (order.subtotal !== undefined) lines.push(`Subtotal: ${money(order.subtotal, currency)}`);
  if (order.discountTotal) lines.push(`Discount: -${money(order.discountTotal, currency)}`);
  if (order.shippingTotal !== undefined) lines.push(`Shipping: ${money(order.shippingTotal, currency)}`);
  if (order.taxTotal !== undefined) lines.push(`Tax${order.pricesIncludeTax ? ' (included)' : ''}: ${money(order.taxTotal, currency)}`);
  lines.push(`Total: ${money(order.total, currency)}`);
  return lines.join('\n');
}

/** The email an event asks for, if any: which template, for which customer, with what values. */
function emailFor(event: DemaEvent): { template: string; userId: string; data: Record<string, unknown> } | undefined {
  switch (event.type) {
    case 'ORDER_CREATED': {
      const order = (event as OrderCreatedEvent).payload;
      return { template: 'order-confirmation', userId: order.userId, data: { orderId: order.orderId, breakdown: breakdown(order) } };
    }
    case 'ORDER_STATUS_CHANGED': {
      const change = (event as OrderStatusChangedEvent).payload;
      const template = { SHIPPED: 'order-shipped', CANCELLED: 'order-cancelled' }[change.newStatus];
      return template ? { template, userId: change.userId, data: { orderId: change.orderId } } : undefined;
    }
    case 'PAYMENT_CAPTURED': {
      const payment = (event as PaymentCapturedEvent).payload;
      return { template: 'payment-received', userId: payment.userId, data: { orderId: payment.orderId, amount: money(payment.amount, payment.currency) } };
    }
    case 'PAYMENT_REFUNDED': {
      const refund = (event as PaymentRefundedEvent).payload;
      return { template: 'order-refunded', userId: refund.userId, data: { orderId: refund.orderId, amount: money(refund.amount, refund.currency) } };
    }
    default:
      return undefined;
  }
}

/**
 * Turns order and payment events into emails to the customer: the confirmation with its breakdown,
 * payment received, shipped, cancelled, refunded. Each is queued in the email outbox keyed by the
 * event's id, so a redelivered event queues nothing more. A customer the User DB no longer has, or
 * who deleted their account, gets no email; a failure to queue throws, and the bus delivers the event again.
 * The events that arrive together are queued in one statement (every order sends one).
 */
export function consumeOrderEvents(bus: EventBus, db: Db, mail: EmailSender, publicUrl: string): Promise<void> {
  const handle = handleInBatches(
    async (events) => {
      const emails = events.flatMap((event) => {
        const email = emailFor(event as DemaEvent);
        if (!email) return [];
        const data = { ...email.data, orderLink: `${publicUrl}/orders/${email.data.orderId}` };
        return [{ cause: `event:${event.id}`, template: email.template, userId: email.userId, data }];
      });
      if ((await enqueueCustomerEmails(db, emails)) > 0) mail.notify();
    },
    { maxBatchSize: orderEmailsPrefetch },
  );
  return bus.subscribe('user-order-emails', eventConsumers['user-order-emails'], handle, { prefetch: orderEmailsPrefetch });
}
