'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { MetricsSample, Product } from '@dema/contracts';
import { useStoreCurrency } from './store-currency.tsx';
import { DemaApiError, describeFailure } from '@dema/client';
import { daysBefore, shortDay, utcDay } from '../lib/dates.ts';
import { formatBytes, formatCount, formatDateTime, formatPrice } from '@dema/contracts';
import { api } from '../lib/session.ts';
import { useApi, type ApiState } from '../lib/use-api.ts';
import { LineChart, Meter, Sparkline } from './charts.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { StatusPill } from './status-pill.tsx';

const lowStockThreshold = 5;
// Enough pages for a few hundred products; a larger catalog needs a stock filter on the API.
const lowStockScanPages = 5;

function useLowStock(): { status: 'loading' } | { status: 'ready'; items: Product[]; complete: boolean } | { status: 'error'; message: string } {
  const [state, setState] = useState<ReturnType<typeof useLowStock>>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    (async () => {
      const low: Product[] = [];
      let offset = 0;
      let total = 0;
      for (let page = 0; page < lowStockScanPages; page += 1) {
        const result = await api.GET('/api/products', { params: { query: { limit: 100, offset, sort: 'name' } } });
        low.push(...result.items.filter((product) => product.stock <= lowStockThreshold));
        total = result.total;
        offset += result.items.length;
        if (offset >= total || result.items.length === 0) break;
      }
      low.sort((a, b) => a.stock - b.stock);
      if (current) setState({ status: 'ready', items: low, complete: offset >= total });
    })().catch(
      (error: unknown) => current && setState({ status: 'error', message: error instanceof DemaApiError ? describeFailure(error) : 'Could not load stock.' }),
    );
    return () => {
      current = false;
    };
  }, []);
  return state;
}

function Health() {
  const [health, setHealth] = useState<{ api: { reachable: boolean; ready: boolean } } | null | 'error'>(null);
  useEffect(() => {
    fetch('/healthz', { cache: 'no-store' })
      .then((response) => response.json() as Promise<{ api: { reachable: boolean; ready: boolean } }>)
      .then(setHealth, () => setHealth('error'));
  }, []);
  const system = useApi((client) => client.GET('/api/monitoring/system'), [], { optional: true });
  return (
    <section className="panel" aria-labelledby="health-heading">
      <div className="panel-title">
        <h2 id="health-heading">System health</h2>
        {health === null ? null : health === 'error' ? (
          <span className="pill pill-out">Web app unreachable</span>
        ) : health.api.ready ? (
          <span className="pill pill-ok" data-testid="api-health">
            API healthy
          </span>
        ) : (
          <span className="pill pill-out" data-testid="api-health">
            {health.api.reachable ? 'API degraded' : 'API down'}
          </span>
        )}
      </div>
      {system.status === 'loading' ? <Loading label="Reading metrics…" /> : null}
      {system.status === 'missing' ? <p className="muted">System metrics are not available on this installation.</p> : null}
      {system.status === 'error' ? <p className="field-error">{describeFailure(system.error)}</p> : null}
      {system.status === 'ready' ? (
        <dl style={{ margin: 0, display: 'grid', gap: 12 }}>
          <div>
            <dt className="small">
              CPU {system.data.cpu.usage.toFixed(0)}% · load {system.data.cpu.load.map((n) => n.toFixed(2)).join(' / ')}
            </dt>
            <dd style={{ margin: '4px 0 0' }}>
              <Meter label="CPU usage" fraction={system.data.cpu.usage / 100} />
            </dd>
          </div>
          <div>
            <dt className="small">
              Memory {formatBytes(system.data.memory.used)} of {formatBytes(system.data.memory.total)}
            </dt>
            <dd style={{ margin: '4px 0 0' }}>
              <Meter label="Memory used" fraction={system.data.memory.total ? system.data.memory.used / system.data.memory.total : 0} />
            </dd>
          </div>
          <div>
            <dt className="small">
              Disk {formatBytes(system.data.disk.used)} of {formatBytes(system.data.disk.total)}
            </dt>
            <dd style={{ margin: '4px 0 0' }}>
              <Meter label="Disk used" fraction={system.data.disk.total ? system.data.disk.used / system.data.disk.total : 0} />
            </dd>
          </div>
        </dl>
      ) : null}
    </section>
  );
}

// Often enough to see load arrive; each read is one small JSON of at most an hour of samples.
const metricsRefreshMs = 5000;

const percent = (n: number) => `${n.toFixed(0)}%`;
const millis = (n: number) => `${n.toFixed(1)} ms`;
const perSecond = (n: number) => `${formatBytes(n)}/s`;

/** Bytes per second between consecutive samples of a counter the kernel keeps since boot. */
function ratePerSecond(samples: MetricsSample[], read: (s: MetricsSample) => number): number[] {
  return samples.slice(1).map((sample, i) => {
    const before = samples[i]!;
    const seconds = (Date.parse(sample.at) - Date.parse(before.at)) / 1000;
    return seconds > 0 ? Math.max(0, read(sample) - read(before)) / seconds : 0;
  });
}

/** The seed's SystemMetrics and ApplicationMetrics over the last hour, one small chart each. */
function MetricsHistoryPanel() {
  const history = useApi((client) => client.GET('/api/monitoring/history', { params: { query: { minutes: 60 } } }), [], {
    optional: true,
    everyMs: metricsRefreshMs,
  });
  const samples = history.status === 'ready' ? history.data.samples : [];
  const series = (read: (s: MetricsSample) => number) => samples.map(read);
  const charts: Array<{ title: string; values: number[]; format: (n: number) => string }> = [
    { title: 'CPU usage', values: series((s) => s.system.cpu.usage), format: percent },
    { title: 'Memory used', values: series((s) => s.system.memory.used), format: formatBytes },
    { title: 'Disk used', values: series((s) => s.system.disk.used), format: formatBytes },
    { title: 'Network in', values: ratePerSecond(samples, (s) => s.system.network.bytesIn), format: perSecond },
    { title: 'Network out', values: ratePerSecond(samples, (s) => s.system.network.bytesOut), format: perSecond },
    { title: 'Requests', values: series((s) => s.application.requests.total), format: formatCount },
    { title: 'Succeeded', values: series((s) => s.application.requests.success), format: formatCount },
    { title: 'Failed', values: series((s) => s.application.requests.failed), format: formatCount },
    { title: 'Latency', values: series((s) => s.application.requests.latency), format: millis },
    { title: 'DB connections', values: series((s) => s.application.database.connections), format: formatCount },
    { title: 'Query time', values: series((s) => s.application.database.queryTime), format: millis },
    { title: 'Pool size', values: series((s) => s.application.database.poolSize), format: formatCount },
    { title: 'Cache hits', values: series((s) => s.application.cache.hits), format: formatCount },
    { title: 'Cache misses', values: series((s) => s.application.cache.misses), format: formatCount },
    { title: 'Cache hit ratio', values: series((s) => s.application.cache.ratio * 100), format: percent },
  ];
  return (
    <section className="panel" aria-labelledby="metrics-heading" style={{ marginTop: 16 }} data-testid="metrics-history">
      <div className="panel-title">
        <h2 id="metrics-heading">Metrics, last hour</h2>
        <span className="muted small">Refreshes every {metricsRefreshMs / 1000} s</span>
      </div>
      {history.status === 'missing' ? <p className="muted">Metrics history is not available on this installation.</p> : null}
      {history.status === 'error' ? <p className="field-error">{describeFailure(history.error)}</p> : null}
      {history.status === 'missing' || history.status === 'error' ? null : (
        // Drawn empty while loading, so the first data fills the charts in place.
        <div className="spark-grid">
          {charts.map((chart) => (
            <Sparkline key={chart.title} title={chart.title} values={chart.values} format={chart.format} />
          ))}
        </div>
      )}
    </section>
  );
}

function Alerts() {
  const alerts = useApi((client) => client.GET('/api/monitoring/alerts'), [], { optional: true });
  return (
    <section className="panel" aria-labelledby="alerts-heading">
      <div className="panel-title">
        <h2 id="alerts-heading">Active alerts</h2>
        {alerts.status === 'ready' ? <span className={`pill ${alerts.data.active.length ? 'pill-out' : 'pill-ok'}`}>{alerts.data.active.length}</span> : null}
      </div>
      {alerts.status === 'loading' ? <Loading label="Loading alerts…" /> : null}
      {alerts.status === 'missing' ? <p className="muted">Alerting is not available on this installation.</p> : null}
      {alerts.status === 'error' ? <p className="field-error">{describeFailure(alerts.error)}</p> : null}
      {alerts.status === 'ready' && alerts.data.active.length === 0 ? <p className="muted">No active alerts. All clear.</p> : null}
      {alerts.status === 'ready' && alerts.data.active.length > 0 ? (
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {alerts.data.active.map((alert) => (
            <li key={`${alert.name}-${alert.since}`} style={{ padding: '8px 0', borderBottom: '1px solid var(--line)' }}>
              <strong>{alert.name}</strong>{' '}
              <span className={`pill ${alert.severity === 'critical' || alert.severity === 'error' ? 'pill-out' : 'pill-low'}`}>{alert.severity}</span>{' '}
              <span className="pill">{alert.state}</span>
              <div className="muted small">
                {alert.condition} (threshold {alert.threshold}
                {alert.value === null ? '' : `, now ${alert.value.toFixed(2)}`}) since {formatDateTime(alert.since)}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

// Orders read to count today's sales when the analytics service is not installed.
const todayScanPages = 5;

/**
 * Today's sales as the analytics service defines them (orders placed today, less cancelled and
 * returned ones), counted from the order list when analytics is not installed.
 */
function useTodaySales(today: string): ApiState<{ orders: number; revenue: number; averageOrderValue: number }> {
  const summary = useApi((client) => client.GET('/api/analytics/summary', { params: { query: { from: today, to: today } } }), [today], { optional: true });
  const [counted, setCounted] = useState<ApiState<{ orders: number; revenue: number; averageOrderValue: number }>>({ status: 'loading' });
  const missing = summary.status === 'missing';
  useEffect(() => {
    if (!missing) return;
    let current = true;
    (async () => {
      let cents = 0;
      let orders = 0;
      let offset = 0;
      for (let page = 0; page < todayScanPages; page += 1) {
        const result = await api.GET('/api/orders', { params: { query: { limit: 100, offset } } });
        const todays = result.items.filter((order) => order.createdAt.slice(0, 10) === today);
        for (const order of todays) {
          if (order.status === 'CANCELLED' || order.status === 'RETURNED') continue;
          orders += 1;
          cents += Math.round(order.total * 100);
        }
        offset += result.items.length;
        // Newest first: once a page reaches yesterday, the rest is older still.
        if (todays.length < result.items.length || offset >= result.total || result.items.length === 0) break;
      }
      const revenue = cents / 100;
      if (current) setCounted({ status: 'ready', data: { orders, revenue, averageOrderValue: orders ? Math.round(cents / orders) / 100 : 0 } });
    })().catch((error: unknown) => current && setCounted({ status: 'error', error: error instanceof DemaApiError ? error : DemaApiError.unreachable(error) }));
    return () => {
      current = false;
    };
  }, [missing, today]);
  if (summary.status === 'ready') return { status: 'ready', data: summary.data };
  if (summary.status === 'missing') return counted;
  return summary;
}

/** The admin's overview: today's sales, a fortnight's revenue, recent orders, low stock, health and alerts. */
export function OverviewView() {
  const currency = useStoreCurrency();
  const now = new Date();
  const today = utcDay(now);
  const summary = useTodaySales(today);
  const from = utcDay(daysBefore(now, 13));
  const revenue = useApi((client) => client.GET('/api/analytics/revenue', { params: { query: { from, to: today, interval: 'day' } } }), [from, today], {
    optional: true,
  });
  const recent = useApi((client) => client.GET('/api/orders', { params: { query: { limit: 5 } } }), []);
  const lowStock = useLowStock();

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <span className="muted small">Today is {shortDay(today)} (UTC)</span>
      </div>
      <div className="stats">
        <div className="card stat">
          <div className="label">Orders today</div>
          <div className="value" data-testid="orders-today">
            {summary.status === 'ready' ? formatCount(summary.data.orders) : summary.status === 'loading' ? '…' : '—'}
          </div>
        </div>
        <div className="card stat">
          <div className="label">Revenue today</div>
          <div className="value" data-testid="revenue-today">
            {summary.status === 'ready' ? formatPrice(summary.data.revenue, currency) : summary.status === 'loading' ? '…' : '—'}
          </div>
        </div>
        <div className="card stat">
          <div className="label">Avg. order today</div>
          <div className="value">
            {summary.status === 'ready' ? formatPrice(summary.data.averageOrderValue, currency) : summary.status === 'loading' ? '…' : '—'}
          </div>
        </div>
        <div className="card stat">
          <div className="label">Low-stock products</div>
          <div className="value">{lowStock.status === 'ready' ? formatCount(lowStock.items.length) : lowStock.status === 'loading' ? '…' : '—'}</div>
        </div>
      </div>
      {summary.status === 'error' ? (
        <p className="alert alert-error" role="alert">
          {describeFailure(summary.error)}
        </p>
      ) : null}
      <div className="grid-2">
        <section className="panel" aria-labelledby="revenue-heading">
          <div className="panel-title">
            <h2 id="revenue-heading">Revenue, last 14 days</h2>
            <Link href="/analytics">Analytics</Link>
          </div>
          {revenue.status === 'loading' ? <Loading /> : null}
          {revenue.status === 'missing' ? <p className="muted">Not available on this installation.</p> : null}
          {revenue.status === 'error' ? <p className="field-error">{describeFailure(revenue.error)}</p> : null}
          {revenue.status === 'ready' ? (
            <LineChart
              title="Revenue per day, last 14 days"
              points={revenue.data.points.map((p) => ({ label: shortDay(p.period), value: p.revenue }))}
              format={(n) => formatPrice(n, currency).replace(/\.00$/, '')}
            />
          ) : null}
        </section>
        <section className="panel" aria-labelledby="recent-heading">
          <div className="panel-title">
            <h2 id="recent-heading">Recent orders</h2>
            <Link href="/orders">All orders</Link>
          </div>
          {recent.status === 'loading' ? <Loading /> : null}
          {recent.status === 'error' || recent.status === 'missing' ? (
            <p className="field-error">{recent.status === 'error' ? describeFailure(recent.error) : 'Orders are not available.'}</p>
          ) : null}
          {recent.status === 'ready' && recent.data.items.length === 0 ? <p className="muted">No orders yet.</p> : null}
          {recent.status === 'ready' && recent.data.items.length > 0 ? (
            <table className="data">
              <tbody>
                {recent.data.items.map((order) => (
                  <tr key={order.id}>
                    <td>
                      <Link className="mono" href={`/orders/${order.id}`}>
                        #{order.id.slice(0, 8)}
                      </Link>
                    </td>
                    <td className="small muted">{formatDateTime(order.createdAt)}</td>
                    <td className="num">{formatPrice(order.total, order.currency)}</td>
                    <td>
                      <StatusPill status={order.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
        <section className="panel" aria-labelledby="low-heading">
          <div className="panel-title">
            <h2 id="low-heading">Low stock (≤ {lowStockThreshold})</h2>
            <Link href="/admin/products">Products</Link>
          </div>
          {lowStock.status === 'loading' ? <Loading /> : null}
          {lowStock.status === 'error' ? <ErrorState message={lowStock.message} /> : null}
          {lowStock.status === 'ready' && lowStock.items.length === 0 ? (
            <EmptyState title="Stock is healthy">No product has {lowStockThreshold} or fewer units.</EmptyState>
          ) : null}
          {lowStock.status === 'ready' && lowStock.items.length > 0 ? (
            <table className="data" data-testid="low-stock">
              <tbody>
                {lowStock.items.slice(0, 10).map((product) => (
                  <tr key={product.id}>
                    <td>
                      <Link href={`/admin/products/${product.id}`}>{product.name}</Link>
                    </td>
                    <td className="num">
                      <span className={`pill ${product.stock === 0 ? 'pill-out' : 'pill-low'}`}>{product.stock} left</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {lowStock.status === 'ready' && !lowStock.complete ? (
            <p className="muted small">Only the first {lowStockScanPages * 100} products were checked.</p>
          ) : null}
        </section>
        <div>
          <Health />
          <Alerts />
        </div>
      </div>
      <MetricsHistoryPanel />
    </>
  );
}
