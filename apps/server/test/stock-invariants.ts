import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { restockingStatuses, type OrderStatus, type StockUpdatedEvent } from '@dema/contracts';
import { startTestProcess, waitFor, type TestProcess, type TestTarget } from '@dema/platform/testing';
import { allInOneServices } from '../src/services.ts';
import type { AllInOneServices } from './support/all-in-one.ts';

/**
 * Stock invariants under random interleavings, through the HTTP API of the all-in-one process:
 * orders are placed and walked along their lifecycle (cancelled, confirmed, shipped, delivered,
 * returned) while admins adjust and set the stock of the same products, all at once. Afterwards,
 * for every product of the scenario:
 *   - stock ≥ 0, and the catalog's answer (its read model) says the same as the stock column;
 *   - stock + reserved = initial + Σ manual movements, where reserved is what the Order service's
 *     live orders hold and the movements are the admins' adjustments and sets, each as it was applied;
 *   - the Product service's reservations hold exactly what the live orders hold (nothing leaked);
 *   - the STOCK_UPDATED trail, in the order of its timestamps, is one unbroken chain from 0 to the
 *     stock (so "the latest event" is the stock), with one ORDER event per placed order and one
 *     RETURN per cancelled or returned one;
 * and the analytics reports equal a recomputation from the orders, and their latest stock per
 * product equals the stock.
 */

const paths = ['keep', 'cancel', 'confirm', 'confirm-cancel', 'ship', 'ship-return', 'deliver', 'deliver-return'] as const;
type Path = (typeof paths)[number];
const steps: Record<Path, OrderStatus[]> = {
  keep: [],
  cancel: ['CANCELLED'],
  confirm: ['CONFIRMED'],
  'confirm-cancel': ['CONFIRMED', 'CANCELLED'],
  ship: ['CONFIRMED', 'SHIPPED'],
  'ship-return': ['CONFIRMED', 'SHIPPED', 'RETURNED'],
  deliver: ['CONFIRMED', 'SHIPPED', 'DELIVERED'],
  'deliver-return': ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'RETURNED'],
};

const productCount = 2;
const customerCount = 3;

export interface Lifecycle {
  customer: number;
  lines: Array<{ product: number; quantity: number }>;
  path: Path;
  /** Milliseconds before the order is placed, and between its later steps. */
  delay: number;
  stepDelay: number;
}
export type StockOp = { kind: 'adjust'; product: number; delta: number; delay: number } | { kind: 'set'; product: number; stock: number; delay: number };
export interface Scenario {
  initial: number[];
  prices: string[];
  lifecycles: Lifecycle[];
  stockOps: StockOp[];
}

const delay = fc.integer({ min: 0, max: 12 });
const product = fc.integer({ min: 0, max: productCount - 1 });

export const scenarios: fc.Arbitrary<Scenario> = fc.record({
  initial: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: productCount, maxLength: productCount }),
  prices: fc.array(fc.constantFrom('0.10', '2.50', '7.99', '19.95', '1234.56'), { minLength: productCount, maxLength: productCount }),
  lifecycles: fc.array(
    fc.record({
      customer: fc.integer({ min: 0, max: customerCount - 1 }),
      lines: fc.array(fc.record({ product, quantity: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 2 }),
      path: fc.constantFrom(...paths),
      delay,
      stepDelay: fc.integer({ min: 0, max: 5 }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  stockOps: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('adjust' as const), product, delta: fc.integer({ min: -4, max: 6 }).filter((d) => d !== 0), delay }),
      fc.record({ kind: fc.constant('set' as const), product, stock: fc.integer({ min: 0, max: 10 }), delay }),
    ),
    { maxLength: 10 },
  ),
});

interface Caller {
  id: string;
  request(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** One all-in-one process with an admin and a few customers, reused by many scenarios. */
export interface World {
  target: TestTarget;
  running: TestProcess<AllInOneServices>;
  admin: Caller;
  customers: Caller[];
  categoryId: string;
  dispose(): Promise<void>;
}

export async function startWorld(target: TestTarget): Promise<World> {
  const running = await startTestProcess(target, allInOneServices());
  const users = running.services.user;
  const run = Math.random().toString(36).slice(2, 8);
  const signIn = async (email: string, role: 'admin' | 'customer'): Promise<Caller> => {
    const password = 'correct-horse-battery-staple';
    const created = await users.identity.createUser(email, password, role, role);
    const token = (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
    return {
      id: created.id,
      async request(method, url, body) {
        const response = await fetch(`${running.url}${url}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      },
    };
  };
  const admin = await signIn(`admin-${run}@invariants.dema.dev`, 'admin');
  const customers = await Promise.all(Array.from({ length: customerCount }, (_, i) => signIn(`customer${i}-${run}@invariants.dema.dev`, 'customer')));
  const category = await admin.request('POST', '/api/categories', { name: `Invariants ${run}` });
  assert.equal(category.status, 201, JSON.stringify(category.body));
  return { target, running, admin, customers, categoryId: category.body.id, dispose: () => running.dispose() };
}

interface Placed {
  id: string;
  lines: Array<{ productId: string; quantity: number }>;
  /** The last status the order reached. */
  status: OrderStatus;
}

/** Runs `scenario` on fresh products of `world`, everything at once, and checks every invariant. */
export async function checkScenario(world: World, scenario: Scenario): Promise<void> {
  const { admin, customers } = world;
  const ids: string[] = [];
  for (const [i, stock] of scenario.initial.entries()) {
    const created = await admin.request('POST', '/api/products', {
      name: `Invariant product ${i}`,
      price: Number(scenario.prices[i]),
      stock,
      categoryId: world.categoryId,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    ids.push(created.body.id);
  }
  const unexpected: string[] = [];
  const expect = (what: string, reply: { status: number; body: unknown }, allowed: number[]) => {
    if (!allowed.includes(reply.status)) unexpected.push(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
  };
  const placed: Placed[] = [];
  const adjustments: Array<{ productId: string; delta: number; oldStock: number; newStock: number }> = [];
  const sets: Array<{ productId: string; stock: number }> = [];

  const lifecycle = async (l: Lifecycle) => {
    await sleep(l.delay);
    const customer = customers[l.customer]!;
    const lines = l.lines.map((line) => ({ productId: ids[line.product]!, quantity: line.quantity }));
    const reply = await customer.request('POST', '/api/orders', { items: lines });
    expect('placing an order', reply, [201, 409]);
    if (reply.status !== 201) return;
    const order: Placed = { id: reply.body.id, lines, status: 'PENDING' };
    placed.push(order);
    for (const status of steps[l.path]) {
      await sleep(l.stepDelay);
      // The customer cancels their own order before it ships; every other move is the admin's.
      const actor = status === 'CANCELLED' && order.status !== 'SHIPPED' ? customer : admin;
      const moved = await actor.request('PUT', `/api/orders/${order.id}/status`, { status });
      expect(`${order.status} → ${status}`, moved, [200]);
      if (moved.status !== 200) return;
      order.status = status;
    }
  };
  const stockOp = async (op: StockOp) => {
    await sleep(op.delay);
    const productId = ids[op.product]!;
    if (op.kind === 'adjust') {
      const reply = await admin.request('POST', `/api/products/${productId}/stock-adjustments`, { delta: op.delta });
      expect(`adjusting by ${op.delta}`, reply, op.delta > 0 ? [200] : [200, 409]);
      if (reply.status === 200) adjustments.push({ productId, delta: op.delta, oldStock: reply.body.oldStock, newStock: reply.body.newStock });
    } else {
      const reply = await admin.request('PUT', `/api/products/${productId}`, { stock: op.stock });
      expect(`setting stock to ${op.stock}`, reply, [200]);
      if (reply.status === 200) {
        sets.push({ productId, stock: op.stock });
        if (reply.body.stock !== op.stock) unexpected.push(`setting stock to ${op.stock} answered stock ${reply.body.stock}`);
      }
    }
  };
  await Promise.all([...scenario.lifecycles.map(lifecycle), ...scenario.stockOps.map(stockOp)]);
  assert.deepEqual(unexpected, [], 'every request answered as it may');

  const running = world.running;
  const productDb = await running.infra.database('product');
  const orderDb = await running.infra.database('order');
  // Every event of the scenario leaves the product's outbox (the trail is read from there, as emitted).
  await waitFor(
    'the product outbox to drain',
    async () => {
      const { rows } = await productDb.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
      return rows[0]!.n === 0;
    },
    30_000,
  );

  const live = (o: Placed) => !restockingStatuses.includes(o.status);
  for (const [i, productId] of ids.entries()) {
    const context = `product ${i} (${productId}) of ${JSON.stringify(scenario)}`;
    const {
      rows: [row],
    } = await productDb.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]);
    const stock = row!.stock;
    assert.ok(stock >= 0, `stock ${stock} < 0: ${context}`);
    const shown = await admin.request('GET', `/api/products/${productId}`);
    assert.equal(shown.body.stock, stock, `the catalog shows the stock column: ${context}`);

    const units = (orders: Placed[]) => orders.reduce((n, o) => n + o.lines.filter((l) => l.productId === productId).reduce((m, l) => m + l.quantity, 0), 0);
    const {
      rows: [held],
    } = await orderDb.query<{ units: number }>(
      `SELECT COALESCE(sum(i.quantity), 0)::int AS units FROM order_items i JOIN orders o ON o.id = i.order_id
        WHERE i.product_id = $1 AND o.status NOT IN ('CANCELLED', 'RETURNED')`,
      [productId],
    );
    const reserved = held!.units;
    assert.equal(reserved, units(placed.filter(live)), `the Order service holds what the live orders hold: ${context}`);
    const {
      rows: [reservedInCatalog],
    } = await productDb.query<{ units: number }>(
      `SELECT COALESCE(sum((l->>'quantity')::int), 0)::int AS units FROM stock_reservations r, jsonb_array_elements(r.lines) l
        WHERE r.status = 'RESERVED' AND l->>'productId' = $1`,
      [productId],
    );
    assert.equal(reservedInCatalog!.units, reserved, `the catalog's reservations match the live orders: ${context}`);

    const trail = (
      await productDb.query<{ payload: StockUpdatedEvent['payload']; seq: string }>(
        "SELECT payload, seq FROM outbox WHERE type = 'STOCK_UPDATED' AND payload->>'productId' = $1 ORDER BY seq",
        [productId],
      )
    ).rows.map((r) => r.payload);
    const byReason = (reason: string) => trail.filter((e) => e.reason === reason);
    const containing = (orders: Placed[]) => orders.filter((o) => o.lines.some((l) => l.productId === productId)).length;
    assert.equal(byReason('ORDER').length, containing(placed), `one ORDER event per placed order: ${context}`);
    assert.equal(byReason('RETURN').length, containing(placed.filter((o) => !live(o))), `one RETURN event per restocked order: ${context}`);
    assert.equal(sum(byReason('ORDER')) + units(placed), 0, `ORDER events take what the orders hold: ${context}`);
    assert.equal(sum(byReason('RETURN')), units(placed.filter((o) => !live(o))), `RETURN events give back what restocked orders held: ${context}`);

    // The admins' movements: every applied adjustment and set is in the trail as it was applied.
    const manual = byReason('MANUAL');
    const creation = scenario.initial[i]! > 0 ? 1 : 0;
    const ownAdjustments = adjustments.filter((a) => a.productId === productId);
    for (const a of ownAdjustments) {
      assert.ok(
        manual.some((e) => e.oldStock === a.oldStock && e.newStock === a.newStock),
        `adjustment ${JSON.stringify(a)} is in the trail: ${context}`,
      );
    }
    const ownSets = sets.filter((s) => s.productId === productId);
    const setEvents = manual.length - creation - ownAdjustments.length;
    assert.ok(setEvents >= 0 && setEvents <= ownSets.length, `${setEvents} MANUAL events for ${ownSets.length} sets: ${context}`);
    const movements = sum(manual) - scenario.initial[i]!;
    assert.equal(stock + reserved, scenario.initial[i]! + movements, `stock + reserved = initial + Σ movements: ${context}`);

    // In the order of its timestamps (how "latest" is decided downstream) the trail is one chain.
    assert.equal(chainEnd(trail, context), stock, `the STOCK_UPDATED trail ends at the stock: ${context}`);
  }
  await checkAnalytics(world, ids);
}

const sum = (events: Array<StockUpdatedEvent['payload']>) => events.reduce((n, e) => n + e.newStock - e.oldStock, 0);

/**
 * Follows the trail in timestamp order from 0; events with the same timestamp may come in any order
 * that chains. Returns the stock the chain ends at; fails where it breaks.
 */
function chainEnd(trail: Array<StockUpdatedEvent['payload']>, context: string): number {
  const remaining = [...trail].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  let stock = 0;
  while (remaining.length > 0) {
    const first = remaining[0]!.timestamp;
    const next = remaining.findIndex((e) => e.timestamp === first && e.oldStock === stock);
    if (next < 0) {
      const shown = [...trail].sort((a, b) => a.timestamp.localeCompare(b.timestamp)).map((e) => `${e.timestamp} ${e.reason} ${e.oldStock}→${e.newStock}`);
      assert.fail(`the STOCK_UPDATED trail breaks at stock ${stock}:\n  ${shown.join('\n  ')}\n${context}`);
    }
    stock = remaining.splice(next, 1)[0]!.newStock;
  }
  return stock;
}

/** The analytics reports as a recomputation from the Order service's orders says they must be. */
async function checkAnalytics(world: World, productIds: string[]): Promise<void> {
  const orderDb = await world.running.infra.database('order');
  const productDb = await world.running.infra.database('product');
  const { rows: orders } = await orderDb.query<{ id: string; user_id: string; status: string; total: string; units: number }>(
    `SELECT o.id, o.user_id, o.status, o.total::text AS total, (SELECT sum(quantity)::int FROM order_items i WHERE i.order_id = o.id) AS units FROM orders o`,
  );
  const { rows: items } = await orderDb.query<{ product_id: string; units: number; cents: string; orders: number }>(
    `SELECT i.product_id, sum(i.quantity)::int AS units, (sum(i.quantity * i.unit_price) * 100)::bigint::text AS cents, count(DISTINCT o.id)::int AS orders
       FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status NOT IN ('CANCELLED', 'RETURNED') GROUP BY i.product_id`,
  );
  const cents = (amount: string) => Math.round(Number(amount) * 100);
  const sales = orders.filter((o) => !restockingStatuses.includes(o.status as OrderStatus));
  const revenueCents = sales.reduce((n, o) => n + cents(o.total), 0);
  const expected = {
    summary: {
      orders: sales.length,
      revenue: revenueCents / 100,
      unitsSold: sales.reduce((n, o) => n + o.units, 0),
      customers: new Set(sales.map((o) => o.user_id)).size,
    },
    byStatus: Object.fromEntries(
      ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'RETURNED'].map((status) => {
        const these = orders.filter((o) => o.status === status);
        return [status, { orders: these.length, value: these.reduce((n, o) => n + cents(o.total), 0) / 100 }];
      }),
    ),
    top: Object.fromEntries(items.map((i) => [i.product_id, { units: i.units, revenue: Number(i.cents) / 100, orders: i.orders }])),
  };
  const { rows: stockRows } = await productDb.query<{ id: string; stock: number }>('SELECT id, stock FROM products WHERE id = ANY($1::uuid[])', [productIds]);
  const expectedStock = Object.fromEntries(stockRows.map((r) => [r.id, r.stock]));

  let actual: unknown;
  const reading = async () => {
    const [summary, byStatus, top, low] = await Promise.all([
      world.admin.request('GET', '/api/analytics/summary'),
      world.admin.request('GET', '/api/analytics/orders-by-status'),
      world.admin.request('GET', '/api/analytics/top-products?limit=100'),
      world.admin.request('GET', '/api/analytics/low-stock?threshold=1000000&limit=500'),
    ]);
    const s = summary.body;
    return {
      summary: { orders: s.orders, revenue: s.revenue, unitsSold: s.unitsSold, customers: s.customers },
      byStatus: Object.fromEntries(
        (byStatus.body.items as Array<{ status: string; orders: number; value: number }>).map((i) => [i.status, { orders: i.orders, value: i.value }]),
      ),
      top: Object.fromEntries(
        (top.body.items as Array<{ productId: string; units: number; revenue: number; orders: number }>).map((i) => [
          i.productId,
          { units: i.units, revenue: i.revenue, orders: i.orders },
        ]),
      ),
      stock: Object.fromEntries(
        (low.body.items as Array<{ productId: string; stock: number }>).filter((i) => productIds.includes(i.productId)).map((i) => [i.productId, i.stock]),
      ),
    };
  };
  // A product that never had a STOCK_UPDATED (created with 0, never moved) is unknown to analytics.
  const known = (stock: Record<string, number>) => Object.fromEntries(Object.entries(expectedStock).filter(([id, n]) => n > 0 || id in stock));
  try {
    await waitFor(
      'analytics to equal a recomputation from the orders',
      async () => {
        const now = await reading();
        actual = now;
        try {
          assert.deepEqual(now, { ...expected, stock: known(now.stock) });
          return true;
        } catch {
          return false;
        }
      },
      30_000,
    );
  } catch {
    assert.deepEqual(
      actual,
      { ...expected, stock: known((actual as { stock: Record<string, number> }).stock) },
      'analytics equals a recomputation from the orders',
    );
  }
}

/**
 * Runs `runs` scenarios (or the given seed's) on `target`: in `world` when given, else in a process
 * of their own, a fresh one every `perProcess` scenarios.
 */
export async function proveInvariants(target: TestTarget, options: { runs: number; seed?: number; perProcess?: number; world?: World }): Promise<void> {
  let world = options.world;
  let used = 0;
  try {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        if (!options.world && world && used >= (options.perProcess ?? 25)) {
          await world.dispose();
          world = undefined;
          used = 0;
        }
        world ??= await startWorld(target);
        used += 1;
        await checkScenario(world, scenario);
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: true },
    );
  } catch (error) {
    // fast-check's report names the seed and scenario; the broken invariant is its cause.
    const cause = (error as Error).cause as Error | undefined;
    throw new Error(`${(error as Error).message}\n\n${cause?.message ?? ''}`);
  } finally {
    if (!options.world) await world?.dispose();
  }
}
