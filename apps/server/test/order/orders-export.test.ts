import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testTargets } from '@dema/platform/testing';
import { orderOf, startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

for (const target of testTargets()) {
  describe(`orders export (${target.name})`, () => {
    let dema: OrderTestProcess;
    let other: TestUser;
    const placed: string[] = [];

    before(async () => {
      dema = await startOrderService(target);
      other = await dema.newCustomer();
      const a = await dema.createProduct({ name: 'Export A', price: 12.5, stock: 50 });
      const b = await dema.createProduct({ name: 'Export B', price: 0.1, stock: 50 });
      placed.push(
        (
          await orderOf(
            await dema.placeOrder(dema.customer, [
              { productId: a.id, quantity: 2 },
              { productId: b.id, quantity: 3 },
            ]),
          )
        ).id,
      );
      placed.push((await orderOf(await dema.placeOrder(other, [{ productId: b.id, quantity: 1 }]))).id);
      assert.equal((await dema.admin.request('PUT', `/api/orders/${placed[1]}/status`, { status: 'CANCELLED' })).status, 200);
    });
    after(() => dema.dispose());

    // The test's values hold no comma or quote, so a line splits on commas.
    const exportOf = async (user: TestUser, query = '') => {
      const response = await user.request('GET', `/api/orders/export${query}`);
      assert.equal(response.status, 200, await response.clone().text());
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
      const [header, ...rows] = (await response.text())
        .trim()
        .split('\n')
        .map((line) => line.split(','));
      return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])) as Record<string, string>);
    };

    test("an admin exports every order, one row per line with the order's totals as exact decimals", async () => {
      const rows = await exportOf(dema.admin);
      assert.equal(rows.length, 3);
      const first = rows.filter((row) => row.order_id === placed[0]);
      assert.deepEqual(
        first.map((row) => [row.line, row.name, row.quantity, row.unit_price]),
        [
          ['1', 'Export A', '2', '12.50'],
          ['2', 'Export B', '3', '0.10'],
        ],
      );
      assert.equal(first[0]!.subtotal, '25.30');
      assert.equal(first[0]!.customer_id, dema.customer.id);
    });

    test('filters by status as the list does', async () => {
      const rows = await exportOf(dema.admin, '?status=CANCELLED');
      assert.deepEqual(
        rows.map((row) => row.order_id),
        [placed[1]],
      );
      assert.equal((await dema.admin.request('GET', '/api/orders/export?status=LOST')).status, 400);
    });

    test('a filter the export does not take is a 400 naming it, not every order', async () => {
      for (const [query, name] of [
        ['?stauts=CANCELLED', 'query.stauts'],
        ['?limit=1', 'query.limit'],
      ]) {
        const response = await dema.admin.request('GET', `/api/orders/export${query}`);
        assert.equal(response.status, 400, query);
        const problem = (await response.json()) as { code: string; invalidParams: Array<{ name: string }> };
        assert.deepEqual([problem.code, problem.invalidParams.map((p) => p.name)], ['VALIDATION_FAILED', [name]]);
      }
    });

    test('a customer exports only their own orders; an anonymous caller none', async () => {
      const rows = await exportOf(other);
      assert.deepEqual([...new Set(rows.map((row) => row.order_id))], [placed[1]]);
      const anonymous = await dema.anonymous('GET', '/api/orders/export');
      assert.equal(anonymous.status, 401);
    });
  });
}
