import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { EventEnvelope } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { Analytics, exportAnalyticsEvents, replayAnalytics } from '../src/app.ts';
import {
  allReports,
  freshDatabase,
  orderCreated,
  paymentRefunded,
  products,
  startAnalytics,
  statusChanged,
  productDeleted,
  stockUpdated,
  users,
  type AnalyticsTestProcess,
} from './helpers.ts';

const { kettle, mug, tea } = products;
const year = { from: '2024-01-01', to: '2024-12-31' };

/** A varied history: sales, a cancellation, a return, stock changes of every reason, events no figure uses. */
function shopHistory(): EventEnvelope[] {
  const events: EventEnvelope[] = [];
  for (let i = 0; i < 12; i += 1) {
    const month = String(i + 1).padStart(2, '0');
    const order = orderCreated({
      userId: i % 3 === 0 ? users.bob : users.ada,
      timestamp: `2024-${month}-${String(10 + i).padStart(2, '0')}T12:00:00.000Z`,
      items: [
        { productId: kettle, quantity: 1 + (i % 2), price: 49.99 },
        { productId: [mug, tea][i % 2]!, quantity: 3, price: 0.1 * (i + 1) > 1 ? 1.05 : 0.35 },
      ],
    });
    events.push(order, stockUpdated(kettle, 100 - i * 2, 98 - i * 2, 'ORDER', order.payload.timestamp));
    if (i % 4 === 1) events.push(statusChanged(order, 'PENDING', 'CANCELLED', `2024-${month}-25T00:00:00.000Z`));
    if (i % 4 === 2) {
      events.push(statusChanged(order, 'PENDING', 'CONFIRMED', `2024-${month}-23T00:00:00.000Z`));
      events.push(statusChanged(order, 'CONFIRMED', 'SHIPPED', `2024-${month}-24T00:00:00.000Z`));
      events.push(statusChanged(order, 'SHIPPED', 'RETURNED', `2024-${month}-26T00:00:00.000Z`));
      events.push(stockUpdated(kettle, 0, 2, 'RETURN', `2024-${month}-26T00:00:00.000Z`));
    }
  }
  events.push(stockUpdated(mug, 3, 40, 'MANUAL', '2024-03-01T00:00:00.000Z'), stockUpdated(tea, 9, 2, 'MANUAL', '2024-04-01T00:00:00.000Z'));
  // A checkout-era order with its breakdown, refunded in part (and the refund announced twice).
  const checkout = orderCreated({
    timestamp: '2024-07-01T09:00:00.000Z',
    items: [{ productId: kettle, quantity: 2, price: 49.99 }],
    total: 102.87,
    breakdown: { subtotal: 99.98, discountTotal: 10, shippingTotal: 5, taxTotal: 7.89, pricesIncludeTax: false, currency: 'USD' },
  });
  const refund = paymentRefunded(checkout, 20, '2024-07-05T00:00:00.000Z');
  events.push(checkout, refund, paymentRefunded(checkout, 20, '2024-07-06T00:00:00.000Z', refund.payload.refundId));
  events.push({ id: randomUUID(), type: 'PRODUCT_RENAMED', version: 1, payload: { productId: tea } });
  events.push(productDeleted(mug, 'Mug', '2024-08-01T00:00:00.000Z'));
  return events;
}

for (const target of testTargets()) {
  describe(`analytics replay rebuilds the figures from the event history (${target.name})`, () => {
    let dema: AnalyticsTestProcess;
    let analytics: Analytics;
    let history: EventEnvelope[];
    let figures: Awaited<ReturnType<typeof allReports>>;
    let dir: string;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'dema-analytics-'));
      dema = await startAnalytics(target);
      analytics = dema.analyticsService.analytics;
      history = shopHistory();
      const mark = await dema.mark();
      for (const event of history) await dema.publish(event, event.type === 'PRODUCT_RENAMED' ? 'system.product.renamed' : undefined);
      await dema.settled(mark, history.length);
      figures = await allReports(analytics, year);
      // The fixture must exercise what a replay has to get right.
      assert.ok(figures.summary.orders > 0 && figures.byStatus.items.some((s) => s.status === 'CANCELLED' && s.orders > 0));
      assert.ok(figures.sales.refunds === 20 && figures.sales.shipping === 5);
    });
    after(async () => {
      await dema?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    test('a replay reproduces identical figures, and a second one too', async () => {
      const db = await dema.db();
      const first = await replayAnalytics(db);
      assert.deepEqual(first, { read: 0, imported: 0, alreadyKnown: 0, events: history.length, applied: history.length - 1, historyOnly: 1 });
      assert.deepEqual(await allReports(analytics, year), figures);
      assert.deepEqual(await replayAnalytics(db), first);
      assert.deepEqual(await allReports(analytics, year), figures);
    });

    test('a replay restores figures that were lost or wrong, as after a schema change', async () => {
      const db = await dema.db();
      await db.query('DELETE FROM order_item_facts');
      await db.query('UPDATE product_stock SET stock = stock + 1000');
      await db.query("UPDATE order_facts SET status = 'PENDING'");
      await db.query('DELETE FROM refund_facts');
      assert.notDeepEqual(await allReports(analytics, year), figures);
      await replayAnalytics(db);
      assert.deepEqual(await allReports(analytics, year), figures);
    });

    test('an exported history rebuilds the same figures in an empty database, repeated lines counted once', async () => {
      const file = path.join(dir, 'history.ndjson');
      const out = createWriteStream(file);
      const written = await exportAnalyticsEvents(await dema.db(), out);
      out.end();
      await finished(out);
      assert.equal(written, history.length);
      const text = await readFile(file, 'utf8');
      assert.equal(text.trim().split('\n').length, history.length);
      // The same export twice over, with a blank line between: every event appears twice.
      await appendFile(file, `\n${text}`);

      const fresh = await freshDatabase(target);
      try {
        const report = await replayAnalytics(fresh.db, { from: file });
        assert.deepEqual(report, {
          read: 2 * history.length,
          imported: history.length,
          alreadyKnown: history.length,
          events: history.length,
          applied: history.length - 1,
          historyOnly: 1,
        });
        assert.deepEqual(await allReports(new Analytics(fresh.db), year), figures);
        const again = await replayAnalytics(fresh.db, { from: file });
        assert.equal(again.imported, 0);
        assert.equal(again.alreadyKnown, 2 * history.length);
        assert.deepEqual(await allReports(new Analytics(fresh.db), year), figures);
      } finally {
        await fresh.dispose();
      }
    });

    test('an event imported from a file is not counted again when the bus delivers it', async () => {
      const day = '2025-02-03';
      const order = orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: tea, quantity: 2, price: 4.2 }] });
      const file = path.join(dir, 'one.ndjson');
      await writeFile(file, `${JSON.stringify(order)}\n`);
      const report = await replayAnalytics(await dema.db(), { from: file });
      assert.equal(report.imported, 1);
      const mark = await dema.mark();
      await dema.publish(order);
      await dema.settled(mark, 1);
      const summary = (await dema.admin(`/api/analytics/summary?from=${day}&to=${day}`)).body;
      assert.deepEqual([summary.orders, summary.revenue], [1, 8.4]);
    });

    test('a bad line stops the replay, names the line, and changes nothing', async () => {
      const db = await dema.db();
      const before = { events: await dema.count('event_log'), reports: await allReports(analytics, year) };
      const newcomer = orderCreated({ timestamp: '2024-06-15T10:00:00Z', items: [{ productId: mug, quantity: 1, price: 1 }] });
      const notJson = path.join(dir, 'not-json.ndjson');
      await writeFile(notJson, `${JSON.stringify(newcomer)}\n{"id": oops\n`);
      await assert.rejects(replayAnalytics(db, { from: notJson }), /not-json\.ndjson:2: not JSON/);

      const badPrice = orderCreated({ timestamp: '2024-06-15T10:00:00Z', items: [{ productId: mug, quantity: 1, price: 1 }] });
      (badPrice.payload.items[0] as { price: number }).price = 1.005;
      const broken = path.join(dir, 'broken.ndjson');
      await writeFile(broken, `${JSON.stringify(newcomer)}\n\n${JSON.stringify(badPrice)}\n`);
      await assert.rejects(replayAnalytics(db, { from: broken }), /broken\.ndjson:3: .*items\.0\.price/);

      await assert.rejects(replayAnalytics(db, { from: path.join(dir, 'absent.ndjson') }), /ENOENT/);
      assert.equal(await dema.count('event_log'), before.events);
      assert.deepEqual(await allReports(analytics, year), before.reports);
    });

    test('live events arriving during a replay are counted once, on top of the rebuilt figures', async () => {
      const day = '2025-03-04';
      const orders = Array.from({ length: 10 }, () => orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: kettle, quantity: 1, price: 0.7 }] }));
      const mark = await dema.mark();
      const db = await dema.db();
      const [report] = await Promise.all([replayAnalytics(db), ...orders.map((o) => dema.publish(o))]);
      await dema.settled(mark, orders.length);
      assert.ok(report.events >= history.length);
      const summary = (await dema.admin(`/api/analytics/summary?from=${day}&to=${day}`)).body;
      assert.deepEqual([summary.orders, summary.revenue], [10, 7]);
      // What the live path left equals what a replay of the full history computes.
      const live = await allReports(analytics, { from: '2024-01-01', to: '2025-12-31' });
      await replayAnalytics(db);
      assert.deepEqual(await allReports(analytics, { from: '2024-01-01', to: '2025-12-31' }), live);
    });
  });
}
