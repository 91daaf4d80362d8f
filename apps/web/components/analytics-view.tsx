'use client';

import Link from 'next/link';
import { useEffect, useState, type ReactNode } from 'react';
import type { SalesBreakdown, TopProducts } from '@dema/contracts';
import { useStoreCurrency } from './store-currency.tsx';
import { describeFailure } from '@dema/client';
import { daysBefore, shortDay, utcDay } from '../lib/dates.ts';
import { salesRows } from '../lib/sales-breakdown.ts';
import { formatCount, formatPrice } from '@dema/contracts';
import { api } from '../lib/session.ts';
import { useApi, type ApiState } from '../lib/use-api.ts';
import { BarChart, LineChart } from './charts.tsx';
import { ErrorState, Loading } from './states.tsx';

const ranges = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 365, label: 'Last 12 months' },
] as const;

const money = (n: number, currency: string | undefined) => formatPrice(n, currency).replace(/\.00$/, '');

function Section<T>({ title, state, children }: { title: string; state: ApiState<T>; children: (data: T) => ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <div className="panel-title">
        <h2>{title}</h2>
      </div>
      {state.status === 'loading' ? <Loading /> : null}
      {state.status === 'error' ? (
        <p className="field-error" role="alert">
          {describeFailure(state.error)}
        </p>
      ) : null}
      {state.status === 'missing' ? <p className="muted">Not available.</p> : null}
      {state.status === 'ready' ? children(state.data) : null}
    </section>
  );
}

/** Names for product ids (analytics reports ids only), read from the catalog. */
function useProductNames(ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = ids.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `ids`, a new array each render
  useEffect(() => {
    let current = true;
    Promise.all(
      ids.map((id) =>
        api.GET('/api/products/{id}', { params: { path: { id } } }).then(
          (product) => [id, product.name] as const,
          () => [id, 'Deleted product'] as const,
        ),
      ),
    ).then((entries) => current && setNames(Object.fromEntries(entries)));
    return () => {
      current = false;
    };
  }, [key]);
  return names;
}

function TopProductsTable({ data }: { data: TopProducts }) {
  const currency = useStoreCurrency();
  const names = useProductNames(data.items.map((item) => item.productId));
  if (data.items.length === 0) return <p className="muted">No sales in this period.</p>;
  return (
    <table className="data">
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col" className="num">
            Units
          </th>
          <th scope="col" className="num">
            Revenue
          </th>
        </tr>
      </thead>
      <tbody>
        {data.items.map((item) => (
          <tr key={item.productId}>
            <td>
              <Link href={`/admin/products/${item.productId}`}>{names[item.productId] ?? item.productId.slice(0, 8)}</Link>
            </td>
            <td className="num">{formatCount(item.units)}</td>
            <td className="num">{formatPrice(item.revenue, currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The sales breakdown: the rows that add up to net revenue, then the figures with tax in them, apart. */
function SalesTable({ data, currency }: { data: SalesBreakdown; currency: string | undefined }) {
  const { toNet, withTax } = salesRows(data);
  return (
    <table className="data">
      <tbody>
        {toNet.map((row) => (
          <tr key={row.label} className={row.total ? 'total' : undefined}>
            <th scope="row">{row.label}</th>
            <td className="num">{formatPrice(row.amount, currency)}</td>
          </tr>
        ))}
      </tbody>
      <tbody aria-label="Including tax">
        {withTax.map((row) => (
          <tr key={row.label}>
            <th scope="row">{row.label}</th>
            <td className="num">{formatPrice(row.amount, currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Sales analytics from the Analytics service: summary, the sales breakdown down to net revenue,
 * revenue and orders over time, status mix, top products, stock movements.
 */
export function AnalyticsView() {
  const currency = useStoreCurrency();
  const [days, setDays] = useState<number>(30);
  const to = utcDay(new Date());
  const from = utcDay(daysBefore(new Date(), days - 1));
  const interval = days > 120 ? 'month' : days > 31 ? 'week' : 'day';
  const optional = { optional: true };
  const summary = useApi((client) => client.GET('/api/analytics/summary', { params: { query: { from, to } } }), [from, to], optional);
  const revenue = useApi((client) => client.GET('/api/analytics/revenue', { params: { query: { from, to, interval } } }), [from, to, interval], optional);
  const byStatus = useApi((client) => client.GET('/api/analytics/orders-by-status', { params: { query: { from, to } } }), [from, to], optional);
  const top = useApi(
    (client) => client.GET('/api/analytics/top-products', { params: { query: { from, to, by: 'revenue', limit: 10 } } }),
    [from, to],
    optional,
  );
  const stock = useApi((client) => client.GET('/api/analytics/stock-movements', { params: { query: { from, to } } }), [from, to], optional);
  const sales = useApi((client) => client.GET('/api/analytics/sales', { params: { query: { from, to } } }), [from, to], optional);

  if (summary.status === 'missing') {
    return (
      <>
        <div className="page-head">
          <h1>Analytics</h1>
        </div>
        <ErrorState title="Analytics is not available" message="This installation does not run the analytics service, so there are no sales reports yet." />
      </>
    );
  }

  return (
    <>
      <div className="page-head">
        <h1>Analytics</h1>
        <div className="field" style={{ margin: 0 }}>
          <label htmlFor="range">Period</label>
          <select id="range" value={days} onChange={(event) => setDays(Number(event.target.value))} style={{ width: 'auto' }}>
            {ranges.map((r) => (
              <option key={r.days} value={r.days}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {summary.status === 'error' ? (
        <p className="alert alert-error" role="alert">
          {describeFailure(summary.error)}
        </p>
      ) : null}
      <div className="stats">
        {[
          { label: 'Revenue', value: summary.status === 'ready' ? formatPrice(summary.data.revenue, currency) : '…' },
          { label: 'Orders', value: summary.status === 'ready' ? formatCount(summary.data.orders) : '…' },
          { label: 'Avg. order', value: summary.status === 'ready' ? formatPrice(summary.data.averageOrderValue, currency) : '…' },
          { label: 'Units sold', value: summary.status === 'ready' ? formatCount(summary.data.unitsSold) : '…' },
          { label: 'Customers', value: summary.status === 'ready' ? formatCount(summary.data.customers) : '…' },
        ].map((stat) => (
          <div key={stat.label} className="card stat">
            <div className="label">{stat.label}</div>
            <div className="value">{stat.value}</div>
          </div>
        ))}
      </div>
      <div className="grid-2">
        <Section title={`Revenue per ${interval}`} state={revenue}>
          {(data) => (
            <LineChart
              title={`Revenue per ${interval}`}
              points={data.points.map((p) => ({ label: shortDay(p.period), value: p.revenue }))}
              format={(n) => money(n, currency)}
            />
          )}
        </Section>
        <Section title={`Orders per ${interval}`} state={revenue}>
          {(data) => (
            <BarChart
              title={`Orders per ${interval}`}
              points={data.points.map((p) => ({ label: shortDay(p.period), value: p.orders }))}
              format={(n) => formatCount(Math.round(n))}
            />
          )}
        </Section>
        <Section title="Orders by status" state={byStatus}>
          {(data) => (
            <BarChart
              title="Orders by current status"
              points={data.items.map((item) => ({ label: item.status.toLowerCase(), value: item.orders }))}
              format={(n) => formatCount(Math.round(n))}
            />
          )}
        </Section>
        <Section title="Sales breakdown" state={sales}>
          {(data) => <SalesTable data={data} currency={currency} />}
        </Section>
        <Section title="Top products by revenue" state={top}>
          {(data) => <TopProductsTable data={data} />}
        </Section>
        <Section title="Stock movements" state={stock}>
          {(data) => (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Reason</th>
                  <th scope="col" className="num">
                    Changes
                  </th>
                  <th scope="col" className="num">
                    In
                  </th>
                  <th scope="col" className="num">
                    Out
                  </th>
                  <th scope="col" className="num">
                    Net
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item) => (
                  <tr key={item.reason}>
                    <td>{item.reason.toLowerCase()}</td>
                    <td className="num">{formatCount(item.movements)}</td>
                    <td className="num">{formatCount(item.unitsIn)}</td>
                    <td className="num">{formatCount(item.unitsOut)}</td>
                    <td className="num">{formatCount(item.net)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
    </>
  );
}
