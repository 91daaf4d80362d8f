import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Address, CheckoutPreview, OrderCreatedEvent, Product, ShippingMethod, ShippingOptionList, ShippingZone } from '@dema/contracts';
import { testTargets, waitFor } from '@dema/platform/testing';
import { orderOf, problemOf, startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

const newYork: Address = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'New York', region: 'NY', postalCode: '10001', country: 'US' };
const berlin: Address = { firstName: 'Max', lastName: 'Muster', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };
const tokyo: Address = { firstName: 'Yui', lastName: 'Sato', line1: '1-1 Chiyoda', city: 'Tokyo', postalCode: '100-0001', country: 'JP' };

for (const target of testTargets()) {
  describe(`checkout: addresses, shipping, tax and promotions (${target.name})`, () => {
    let dema: OrderTestProcess;
    let domestic: ShippingZone;
    let europe: ShippingZone;
    let standard: ShippingMethod;
    let byWeight: ShippingMethod;
    let euFlat: ShippingMethod;

    const created = async <T>(response: Response): Promise<T> => {
      if (response.status !== 201 && response.status !== 200) throw new Error(`expected 201, got ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const promotion = async (body: Record<string, unknown>) => created<{ id: string; code: string }>(await dema.admin.request('POST', '/api/promotions', body));

    before(async () => {
      dema = await startOrderService(target);
      domestic = await created(await dema.admin.request('POST', '/api/shipping-zones', { name: 'Domestic', countries: ['US'] }));
      europe = await created(await dema.admin.request('POST', '/api/shipping-zones', { name: 'Europe', countries: ['DE', 'FR'], taxShipping: true }));
      standard = await created(
        await dema.admin.request('POST', `/api/shipping-zones/${domestic.id}/methods`, {
          name: 'Standard',
          rate: { kind: 'free_above', amount: 5, threshold: 100 },
        }),
      );
      byWeight = await created(
        await dema.admin.request('POST', `/api/shipping-zones/${domestic.id}/methods`, {
          name: 'Freight',
          rate: {
            kind: 'weight',
            brackets: [
              { maxWeightGrams: 1000, amount: 7.5 },
              { maxWeightGrams: 5000, amount: 15 },
            ],
          },
        }),
      );
      await created(
        await dema.admin.request('POST', `/api/shipping-zones/${domestic.id}/methods`, { name: 'Retired', rate: { kind: 'flat', amount: 1 }, active: false }),
      );
      euFlat = await created(
        await dema.admin.request('POST', `/api/shipping-zones/${europe.id}/methods`, { name: 'EU Post', rate: { kind: 'flat', amount: 10 } }),
      );
      await created(await dema.admin.request('POST', '/api/tax-rates', { name: 'NY sales tax', country: 'US', region: 'NY', rate: '8.875' }));
      await created(await dema.admin.request('POST', '/api/tax-rates', { name: 'MwSt', country: 'DE', rate: '19' }));
    });
    after(() => dema.dispose());

    const place = (user: TestUser, body: Record<string, unknown>, headers?: Record<string, string>) => user.request('POST', '/api/orders', body, headers);
    const stockOf = async (product: Product) => (await dema.product(product.id)).stock;

    test('an order to New York by a flat-rate method records subtotal, shipping, tax per line and an exact total', async () => {
      const mug = await dema.createProduct({ name: 'Checkout Mug', price: 19.99, stock: 10 });
      const shopper = await dema.newCustomer();
      const order = await orderOf(
        await place(shopper, { items: [{ productId: mug.id, quantity: 3 }], shippingAddress: newYork, shippingMethodId: standard.id }),
      );
      // 3 × 19.99 = 59.97; shipping 5.00 (below the 100.00 threshold, and not taxed in this zone);
      // tax 59.97 × 8.875% = 5.3223… → 5.32; total 59.97 + 5.00 + 5.32.
      assert.deepEqual(
        { subtotal: order.subtotal, discount: order.discountTotal, shipping: order.shippingTotal, tax: order.taxTotal, total: order.total },
        { subtotal: 59.97, discount: 0, shipping: 5, tax: 5.32, total: 70.29 },
      );
      assert.deepEqual(order.taxLines, [{ name: 'NY sales tax', rate: '8.875', amount: 5.32, appliesTo: 'items' }]);
      assert.deepEqual(
        order.items.map((i) => [i.lineTotal, i.discount, i.tax]),
        [[59.97, 0, 5.32]],
      );
      assert.deepEqual(order.shippingMethod, { id: standard.id, name: 'Standard' });
      assert.deepEqual(order.shippingAddress, newYork);
      assert.deepEqual(order.billingAddress, newYork, 'the billing address is the shipping address unless another is given');
      assert.equal(order.currency, 'USD');
      const { payment: _placedOnly, ...recorded } = order;
      assert.deepEqual(
        await orderOf(await shopper.request('GET', `/api/orders/${order.id}`)),
        recorded,
        'read back as placed (the payment summary is in the POST answer only)',
      );
      assert.equal(await stockOf(mug), 7);
    });

    test('ORDER_CREATED keeps the seed’s payload and adds the breakdown', async () => {
      const events = await dema.recordEvents(`checkout-created-${randomUUID()}`, ['order.created']);
      const lamp = await dema.createProduct({ name: 'Event Lamp', price: 120, stock: 5 });
      const order = await orderOf(
        await place(dema.customer, { items: [{ productId: lamp.id, quantity: 1 }], shippingAddress: berlin, shippingMethodId: euFlat.id }),
      );
      const mine = () => events.find((e) => (e as OrderCreatedEvent).payload.orderId === order.id) as OrderCreatedEvent | undefined;
      await waitFor('the order’s ORDER_CREATED', () => mine() !== undefined);
      const event = mine()!;
      const { timestamp, ...payload } = event.payload;
      assert.ok(timestamp);
      // DE: 19% on the items (120 → 22.80) and on shipping (the Europe zone taxes it: 10 → 1.90).
      assert.deepEqual(payload, {
        orderId: order.id,
        userId: dema.customer.id,
        items: [{ productId: lamp.id, quantity: 1, price: 120 }],
        total: 154.7,
        subtotal: 120,
        discountTotal: 0,
        shippingTotal: 10,
        taxTotal: 24.7,
        pricesIncludeTax: false,
        currency: 'USD',
      });
      assert.deepEqual(order.taxLines, [
        { name: 'MwSt', rate: '19', amount: 22.8, appliesTo: 'items' },
        { name: 'MwSt (shipping)', rate: '19', amount: 1.9, appliesTo: 'shipping' },
      ]);
    });

    test('shipping options: the zone’s active methods priced for the cart; a weight method that cannot take it is left out', async () => {
      const anvil = await dema.createProduct({ name: 'Light Anvil', price: 40, stock: 50, weightGrams: 800 } as never);
      const options = async (quantity: number) =>
        created<ShippingOptionList>(
          await dema.customer.request('POST', '/api/checkout/shipping-options', { address: newYork, items: [{ productId: anvil.id, quantity }] }),
        );
      assert.deepEqual((await options(1)).items.map((o) => [o.name, o.zone, o.amount]).sort(), [
        ['Freight', 'Domestic', 7.5],
        ['Standard', 'Domestic', 5],
      ]);
      // 3 × 40 = 120 ≥ 100: free; 2.4 kg: the second bracket.
      assert.deepEqual((await options(3)).items.map((o) => [o.name, o.amount]).sort(), [
        ['Freight', 15],
        ['Standard', 0],
      ]);
      // 8 kg: heavier than every bracket.
      assert.deepEqual(
        (await options(10)).items.map((o) => o.name),
        ['Standard'],
      );
      const refused = await problemOf(
        await place(dema.customer, { items: [{ productId: anvil.id, quantity: 10 }], shippingAddress: newYork, shippingMethodId: byWeight.id }),
        422,
      );
      assert.equal(refused.code, 'SHIPPING_METHOD_UNAVAILABLE');
      assert.deepEqual(
        refused.invalidParams?.map((p) => p.name),
        ['body.shippingMethodId'],
      );
      assert.equal(await stockOf(anvil), 50, 'the reservation was released');
    });

    test('an address outside every zone is a 422 SHIPPING_UNAVAILABLE naming the country; nothing is reserved or written', async () => {
      const vase = await dema.createProduct({ name: 'Far Vase', price: 10, stock: 4 });
      const orders = await dema.count('order', 'SELECT 1 FROM orders');
      const options = await problemOf(
        await dema.customer.request('POST', '/api/checkout/shipping-options', { address: tokyo, items: [{ productId: vase.id, quantity: 1 }] }),
        422,
      );
      assert.equal(options.code, 'SHIPPING_UNAVAILABLE');
      assert.deepEqual(
        options.invalidParams?.map((p) => p.name),
        ['body.address.country'],
      );
      const placed = await problemOf(
        await place(dema.customer, { items: [{ productId: vase.id, quantity: 1 }], shippingAddress: tokyo, shippingMethodId: standard.id }),
        422,
      );
      assert.equal(placed.code, 'SHIPPING_UNAVAILABLE');
      assert.deepEqual(
        placed.invalidParams?.map((p) => p.name),
        ['body.shippingAddress.country'],
      );
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders'), orders);
      assert.equal(await stockOf(vase), 4);
    });

    test('once the store ships, an order needs an address and a method; a bad postal code or a method of another zone is named', async () => {
      const pen = await dema.createProduct({ name: 'Rule Pen', price: 2, stock: 9 });
      const items = [{ productId: pen.id, quantity: 1 }];
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ items }, 'VALIDATION_FAILED', 'body.shippingAddress'],
        [{ items, shippingAddress: newYork }, 'VALIDATION_FAILED', 'body.shippingMethodId'],
        [{ items, shippingAddress: { ...newYork, postalCode: '1000' }, shippingMethodId: standard.id }, 'VALIDATION_FAILED', 'body.shippingAddress.postalCode'],
        [{ items, shippingAddress: { ...newYork, region: undefined }, shippingMethodId: standard.id }, 'VALIDATION_FAILED', 'body.shippingAddress.region'],
        [{ items, shippingAddress: newYork, shippingMethodId: euFlat.id }, 'SHIPPING_METHOD_UNAVAILABLE', 'body.shippingMethodId'],
        [{ items, shippingAddress: newYork, shippingMethodId: randomUUID() }, 'SHIPPING_METHOD_UNAVAILABLE', 'body.shippingMethodId'],
        [
          { items, shippingAddress: newYork, billingAddress: { ...berlin, postalCode: 'ABC' }, shippingMethodId: standard.id },
          'VALIDATION_FAILED',
          'body.billingAddress.postalCode',
        ],
      ];
      const orders = await dema.count('order', 'SELECT 1 FROM orders');
      for (const [body, code, field] of cases) {
        const problem = await problemOf(await place(dema.customer, body), 422);
        assert.equal(problem.code, code, field);
        assert.ok(
          problem.invalidParams?.some((p) => p.name === field),
          `${field} in ${JSON.stringify(problem.invalidParams)}`,
        );
      }
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders'), orders);
      assert.equal(await stockOf(pen), 9);
    });

    test('promotions: a percentage applies per line before tax; a fixed amount is split over the lines; free shipping zeroes shipping', async () => {
      const a = await dema.createProduct({ name: 'Promo A', price: 30, stock: 20 });
      const b = await dema.createProduct({ name: 'Promo B', price: 10, stock: 20 });
      const tenOff = await promotion({ code: `ten${randomUUID().slice(0, 6)}`, kind: 'percentage', value: '10' });
      const fiveOff = await promotion({ code: `five${randomUUID().slice(0, 6)}`, kind: 'fixed', value: 5 });
      const freeShip = await promotion({ code: `ship${randomUUID().slice(0, 6)}`, kind: 'free_shipping' });
      const items = [
        { productId: a.id, quantity: 1 },
        { productId: b.id, quantity: 2 },
      ];
      const preview = async (code: string) =>
        created<CheckoutPreview>(
          await dema.customer.request('POST', '/api/checkout/preview', {
            items,
            shippingAddress: newYork,
            shippingMethodId: standard.id,
            promotionCode: code.toLowerCase(),
          }),
        );
      // 10%: 3.00 and 2.00 off; tax on 27.00 and 18.00 at 8.875%: 2.40 (2.39625) and 1.60 (1.5975).
      const percentage = await preview(tenOff.code);
      assert.deepEqual(
        percentage.items.map((i) => [i.lineTotal, i.discount, i.tax]),
        [
          [30, 3, 2.4],
          [20, 2, 1.6],
        ],
      );
      assert.deepEqual([percentage.subtotal, percentage.discountTotal, percentage.shippingTotal, percentage.taxTotal, percentage.total], [50, 5, 5, 4, 54]);
      // 5.00 split 30:20 → 3.00 and 2.00, the same lines as above.
      const fixed = await preview(fiveOff.code);
      assert.deepEqual(
        fixed.items.map((i) => i.discount),
        [3, 2],
      );
      assert.equal(fixed.total, 54);
      const free = await preview(freeShip.code);
      assert.deepEqual([free.discountTotal, free.shippingTotal, free.total], [0, 0, 54.44]);
      assert.equal(free.promotionCode, freeShip.code.toUpperCase());

      const order = await orderOf(await place(dema.customer, { items, shippingAddress: newYork, shippingMethodId: standard.id, promotionCode: tenOff.code }));
      assert.deepEqual(
        [order.subtotal, order.discountTotal, order.shippingTotal, order.taxTotal, order.total, order.promotionCode],
        [50, 5, 5, 4, 54, tenOff.code.toUpperCase()],
      );
    });

    test('a code that is unknown, expired, not yet valid or below its minimum is a 422 naming body.promotionCode; the stock comes back', async () => {
      const clock = await dema.createProduct({ name: 'Promo Clock', price: 20, stock: 6 });
      const hour = 3_600_000;
      const expired = await promotion({
        code: `old${randomUUID().slice(0, 6)}`,
        kind: 'percentage',
        value: '5',
        endsAt: new Date(Date.now() - hour).toISOString(),
      });
      const future = await promotion({
        code: `new${randomUUID().slice(0, 6)}`,
        kind: 'percentage',
        value: '5',
        startsAt: new Date(Date.now() + hour).toISOString(),
      });
      const minimum = await promotion({ code: `min${randomUUID().slice(0, 6)}`, kind: 'fixed', value: 5, minSubtotal: 50 });
      const cases: Array<[string, string, RegExp]> = [
        ['NOSUCHCODE', 'PROMOTION_NOT_FOUND', /not a code/],
        [expired.code, 'PROMOTION_NOT_APPLICABLE', /expired/],
        [future.code, 'PROMOTION_NOT_APPLICABLE', /not.*yet/],
        [minimum.code, 'PROMOTION_NOT_APPLICABLE', /at least 50\.00/],
      ];
      for (const [code, errorCode, reason] of cases) {
        const problem = await problemOf(
          await place(dema.customer, {
            items: [{ productId: clock.id, quantity: 2 }],
            shippingAddress: newYork,
            shippingMethodId: standard.id,
            promotionCode: code,
          }),
          422,
        );
        assert.equal(problem.code, errorCode, code);
        assert.equal(problem.invalidParams?.[0]?.name, 'body.promotionCode');
        assert.match(problem.invalidParams![0]!.reason, reason);
      }
      assert.equal(await stockOf(clock), 6);
      assert.equal(await dema.count('order', 'SELECT 1 FROM promotion_redemptions WHERE promotion_id = $1', [minimum.id]), 0);
    });

    test('100 shoppers racing for a code with 10 uses: exactly 10 orders use it, the others are refused and keep their stock', async () => {
      const prize = await dema.createProduct({ name: 'Race Prize', price: 10, stock: 1000 });
      const code = await promotion({ code: `race${randomUUID().slice(0, 6)}`, kind: 'percentage', value: '50', usageLimit: 10 });
      const shoppers = await Promise.all(Array.from({ length: 100 }, () => dema.newCustomer()));
      const answers = await Promise.all(
        shoppers.map((shopper) =>
          place(shopper, { items: [{ productId: prize.id, quantity: 1 }], shippingAddress: newYork, shippingMethodId: standard.id, promotionCode: code.code }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      assert.equal(statuses.filter((s) => s === 201).length, 10, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 422).length, 90);
      for (const answer of answers.filter((a) => a.status === 422)) assert.equal((await problemOf(answer, 422)).code, 'PROMOTION_NOT_APPLICABLE');
      const shown = await created<{ timesUsed: number }>(await dema.admin.request('GET', `/api/promotions/${code.id}`));
      assert.equal(shown.timesUsed, 10);
      assert.equal(await dema.count('order', 'SELECT 1 FROM promotion_redemptions WHERE promotion_id = $1', [code.id]), 10);
      assert.equal(await stockOf(prize), 990, 'only the 10 orders keep their stock');
    });

    test('a per-customer limit of 1 holds for one customer’s concurrent orders; an Idempotency-Key replay still answers the first order', async () => {
      const tea = await dema.createProduct({ name: 'Once Tea', price: 8, stock: 100 });
      const code = await promotion({ code: `once${randomUUID().slice(0, 6)}`, kind: 'free_shipping', perCustomerLimit: 1 });
      const shopper = await dema.newCustomer();
      const body = { items: [{ productId: tea.id, quantity: 1 }], shippingAddress: newYork, shippingMethodId: standard.id, promotionCode: code.code };
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => place(shopper, body, { 'idempotency-key': `once-${i}` })));
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 422, 422, 422, 422]);
      const first = await orderOf(answers.find((a) => a.status === 201)!);
      const key = `once-${answers.findIndex((a) => a.status === 201)}`;
      const replay = await place(shopper, body, { 'idempotency-key': key });
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal((await orderOf(replay)).id, first.id);
      const other = await dema.newCustomer();
      assert.equal((await place(other, body)).status, 201, 'another customer may still use it');
      assert.equal(await stockOf(tea), 98);
    });

    test('cancelling an order gives its code’s use back: a code with one use can then be used again', async () => {
      const kite = await dema.createProduct({ name: 'Single Kite', price: 12, stock: 9 });
      const code = await promotion({ code: `one${randomUUID().slice(0, 6)}`, kind: 'fixed', value: 2, usageLimit: 1 });
      const body = { items: [{ productId: kite.id, quantity: 1 }], shippingAddress: newYork, shippingMethodId: standard.id, promotionCode: code.code };
      const first = await orderOf(await place(dema.customer, body));
      assert.equal((await problemOf(await place(dema.customer, body), 422)).code, 'PROMOTION_NOT_APPLICABLE');
      assert.equal((await dema.customer.request('PUT', `/api/orders/${first.id}/status`, { status: 'CANCELLED' })).status, 200);
      const second = await orderOf(await place(dema.customer, body));
      assert.equal(second.discountTotal, 2);
      const shown = await created<{ timesUsed: number }>(await dema.admin.request('GET', `/api/promotions/${code.id}`));
      assert.equal(shown.timesUsed, 1);
    });

    test('prices entered with tax: the tax is taken out of each line, and the total is what the lines and shipping cost', async () => {
      const settings = await created<Record<string, unknown>>(await dema.anonymous('GET', '/api/checkout-settings'));
      assert.equal((await dema.admin.request('PUT', '/api/checkout-settings', { ...settings, pricesIncludeTax: true })).status, 200);
      try {
        const towel = await dema.createProduct({ name: 'Gross Towel', price: 10, stock: 9 });
        const order = await orderOf(
          await place(dema.customer, { items: [{ productId: towel.id, quantity: 2 }], shippingAddress: berlin, shippingMethodId: euFlat.id }),
        );
        // 20.00 holds 20 × 19/119 = 3.19 of tax; shipping 10.00 holds 1.60 (the zone taxes shipping).
        assert.deepEqual([order.subtotal, order.shippingTotal, order.taxTotal, order.total, order.pricesIncludeTax], [20, 10, 4.79, 30, true]);
      } finally {
        await dema.admin.request('PUT', '/api/checkout-settings', settings);
      }
    });

    test('a customer keeps the addresses on their order; another customer cannot read them', async () => {
      const card = await dema.createProduct({ name: 'Post Card', price: 1.5, stock: 9 });
      const office = { ...newYork, firstName: 'Accounts', line1: '2 Wall St', postalCode: '10005' };
      const shopper = await dema.newCustomer();
      const order = await orderOf(
        await place(shopper, { items: [{ productId: card.id, quantity: 1 }], shippingAddress: newYork, billingAddress: office, shippingMethodId: standard.id }),
      );
      assert.deepEqual([order.shippingAddress, order.billingAddress], [newYork, office]);
      const stranger = await dema.newCustomer();
      assert.equal((await stranger.request('GET', `/api/orders/${order.id}`)).status, 404);
    });
  });
}
