import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  routingKeys,
  type DemaEvent,
  type OrderCreatedEvent,
  type OrderStatusChangedEvent,
  type PaymentCapturedEvent,
  type PaymentRefundedEvent,
} from '@dema/contracts';
import { createEvent } from '@dema/platform';
import { testTargets, waitFor } from '@dema/platform/testing';
import type { UserTestProcess } from './helpers.ts';
import { publishTwiceUntilEmailed, userServiceWithSmtp, type TestSmtpServer } from './smtp.ts';

const orderId = '00000000-0000-4000-8000-000000000021';

for (const target of testTargets()) {
  describe(`order emails (${target.name})`, () => {
    const running = userServiceWithSmtp(target);
    let dema: UserTestProcess;
    let smtp: TestSmtpServer;
    beforeEach(() => ({ dema, smtp } = running));

    const publish = (event: DemaEvent) => dema.infra.bus.publish(event, routingKeys[event.type]);

    test('a placed order sends its confirmation with the breakdown, once even when the event comes twice', async () => {
      const { user, email } = await dema.createUser({ name: 'Ada' });
      const placed = createEvent<OrderCreatedEvent>('ORDER_CREATED', {
        orderId,
        userId: user.id,
        items: [{ productId: 'a1a1a1a1-2222-4000-8000-000000000002', quantity: 2, price: 39.9 }],
        subtotal: 79.8,
        discountTotal: 5,
        shippingTotal: 4.9,
        taxTotal: 15.94,
        pricesIncludeTax: true,
        total: 79.7,
        currency: 'EUR',
        timestamp: new Date().toISOString(),
      });
      await publishTwiceUntilEmailed(dema, smtp, placed, [email]);
      await dema.users.mail.drain();
      assert.equal(smtp.to(email).length, 1);
      const [confirmation] = smtp.to(email);
      assert.equal(confirmation!.subject, 'Your Test Shop order is confirmed');
      for (const line of [
        '2 × 39.90 EUR  79.80 EUR',
        'Subtotal: 79.80 EUR',
        'Discount: -5.00 EUR',
        'Shipping: 4.90 EUR',
        'Tax (included): 15.94 EUR',
        'Total: 79.70 EUR',
      ]) {
        assert.ok(confirmation!.text.includes(line), `${line} in\n${confirmation!.text}`);
      }
      assert.match(confirmation!.html, new RegExp(`<a href="https://shop\\.test/orders/${orderId}">`));
    });

    test('payment received, shipped and cancelled each send their email; other status changes send none', async () => {
      const { user, email } = await dema.createUser();
      const changed = (oldStatus: string, newStatus: string) =>
        createEvent<OrderStatusChangedEvent>('ORDER_STATUS_CHANGED', { orderId, userId: user.id, oldStatus, newStatus, timestamp: new Date().toISOString() });
      await publish(
        createEvent<PaymentCapturedEvent>('PAYMENT_CAPTURED', {
          paymentId: '00000000-0000-4000-8000-0000000000aa',
          orderId,
          userId: user.id,
          provider: 'manual',
          currency: 'EUR',
          amount: 79.7,
          timestamp: new Date().toISOString(),
        }),
      );
      await publish(changed('PENDING', 'CONFIRMED'));
      await publish(changed('CONFIRMED', 'SHIPPED'));
      await publish(changed('SHIPPED', 'CANCELLED'));
      await waitFor('three emails', () => smtp.to(email).length >= 3);
      await dema.users.mail.drain();
      assert.deepEqual(
        smtp
          .to(email)
          .map((received) => received.subject)
          .sort(),
        ['Payment received for your Test Shop order', 'Your Test Shop order is on its way', 'Your Test Shop order was cancelled'],
      );
      assert.ok(smtp.to(email).some((received) => received.text.includes('79.70 EUR')));
    });

    test('a refund sends its email with the amount refunded and the order link, once even when the event comes twice', async () => {
      const { user, email } = await dema.createUser({ name: 'Grace' });
      const refunded = createEvent<PaymentRefundedEvent>('PAYMENT_REFUNDED', {
        paymentId: '00000000-0000-4000-8000-0000000000ab',
        orderId,
        userId: user.id,
        provider: 'manual',
        currency: 'EUR',
        refundId: '00000000-0000-4000-8000-0000000000ac',
        amount: 24.5,
        amountRefunded: 24.5,
        fullyRefunded: false,
        reason: 'one item returned',
        lines: null,
        timestamp: new Date().toISOString(),
      });
      await publishTwiceUntilEmailed(dema, smtp, refunded, [email]);
      // Once more now that the queue surely is bound, then an event that emails too: once its email
      // arrived, the consumer has had the repeat.
      await publish(refunded);
      await publish(
        createEvent<OrderStatusChangedEvent>('ORDER_STATUS_CHANGED', {
          orderId,
          userId: user.id,
          oldStatus: 'CONFIRMED',
          newStatus: 'SHIPPED',
          timestamp: new Date().toISOString(),
        }),
      );
      await waitFor('the shipping email after the repeated refund', () => smtp.to(email).length >= 2);
      await dema.users.mail.drain();
      const refunds = smtp.to(email).filter((received) => received.subject === 'A refund for your Test Shop order');
      assert.equal(
        refunds.length,
        1,
        smtp
          .to(email)
          .map((received) => received.subject)
          .join(', '),
      );
      const [refund] = refunds;
      assert.match(refund!.text, /Hello Grace,/);
      assert.ok(refund!.text.includes('We refunded 24.50 EUR to you.'), refund!.text);
      assert.ok(refund!.text.includes(`https://shop.test/orders/${orderId}`), refund!.text);
      assert.match(refund!.html, new RegExp(`<a href="https://shop\\.test/orders/${orderId}">`));
    });

    test('a customer who deleted their account gets no order email', async () => {
      const gone = await dema.createUser();
      const session = await dema.login(gone.email, gone.password);
      const deleted = await dema.client().send('DELETE', '/api/users/me', { token: session.tokens.accessToken, body: { password: gone.password } });
      assert.equal(deleted.status, 204, deleted.text);
      const live = await dema.createUser();
      const shipped = (userId: string) =>
        createEvent<OrderStatusChangedEvent>('ORDER_STATUS_CHANGED', {
          orderId,
          userId,
          oldStatus: 'CONFIRMED',
          newStatus: 'SHIPPED',
          timestamp: new Date().toISOString(),
        });
      const toGone = shipped(gone.user.id);
      await publish(toGone);
      await publish(shipped(live.user.id));
      // The live customer's email, published after, shows the consumer has reached both events.
      await waitFor("the live customer's email", () => smtp.to(live.email).length > 0);
      await dema.users.mail.drain();
      const db = await dema.userDb();
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM email_outbox WHERE cause = $1', [`event:${toGone.id}`]);
      assert.equal(rows[0]!.n, 0);
      assert.deepEqual([smtp.to(gone.email).length, smtp.to(`deleted-${gone.user.id}@invalid`).length], [0, 0]);
    });

    test('order events that arrive together each queue their email once; a deleted customer among them gets none', async () => {
      const customers = await Promise.all([1, 2, 3, 4].map(() => dema.createUser()));
      const gone = await dema.createUser();
      const session = await dema.login(gone.email, gone.password);
      const deleted = await dema.client().send('DELETE', '/api/users/me', { token: session.tokens.accessToken, body: { password: gone.password } });
      assert.equal(deleted.status, 204, deleted.text);
      const placed = (userId: string, n: number) =>
        createEvent<OrderCreatedEvent>('ORDER_CREATED', {
          orderId: `00000000-0000-4000-8000-00000000010${n}`,
          userId,
          items: [{ productId: 'a1a1a1a1-2222-4000-8000-000000000002', quantity: 1, price: 10 }],
          total: 10,
          currency: 'EUR',
          timestamp: new Date().toISOString(),
        });
      const events = [...customers.map((c, n) => placed(c.user.id, n)), placed(gone.user.id, 9)];
      // Published at once (one of them twice), so the consumer has several in hand together.
      await Promise.all([...events, events[0]!].map(publish));
      await waitFor('every live customer emailed', () => customers.every((c) => smtp.to(c.email).length > 0));
      await dema.users.mail.drain();
      assert.deepEqual(
        customers.map((c) => smtp.to(c.email).length),
        [1, 1, 1, 1],
      );
      for (const [n, c] of customers.entries()) assert.ok(smtp.to(c.email)[0]!.text.includes(`00000000-0000-4000-8000-00000000010${n}`));
      const db = await dema.userDb();
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM email_outbox WHERE cause = $1', [`event:${events[4]!.id}`]);
      assert.equal(rows[0]!.n, 0);
      assert.equal(smtp.to(gone.email).length, 0);
    });
  });
}
