'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { Order, OrderStatus, User } from '@dema/contracts';
import { formatDateTime, formatPrice, orderStatusLabel } from '@dema/contracts';
import { describeFailure } from '@dema/client';
import type { OrderLifecycle } from '../lib/order-lifecycle.ts';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { OrderStatusControl } from './order-status-control.tsx';
import { RequireSession } from './require-session.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { StatusPill } from './status-pill.tsx';
import { TablePager } from './pager.tsx';

const pageSize = 20;

/** Customers' emails for the user ids on screen (admin only: users:read), looked up once each. */
function useCustomerEmails(ids: string[], enabled: boolean): Record<string, string> {
  const [emails, setEmails] = useState<Record<string, string>>({});
  const missing = enabled ? [...new Set(ids)].filter((id) => !(id in emails)) : [];
  const key = missing.join(',');
  useEffect(() => {
    if (!key) return;
    let current = true;
    Promise.all(
      key.split(',').map((id) =>
        api.GET('/api/users/{id}', { params: { path: { id } } }).then(
          (user) => [id, user.email] as const,
          () => [id, `${id.slice(0, 8)}…`] as const,
        ),
      ),
    ).then((entries) => current && setEmails((known) => ({ ...known, ...Object.fromEntries(entries) })));
    return () => {
      current = false;
    };
  }, [key]);
  return emails;
}

function OrdersTable({ user, lifecycle }: { user: User; lifecycle: OrderLifecycle }) {
  const admin = user.role === 'admin';
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const [offset, setOffset] = useState(0);
  const [changed, setChanged] = useState<Record<string, Order>>({});
  // A customer reads their own orders through the seed's route; an admin reads everyone's.
  const result = useApi(
    (client) => {
      const query = { limit: pageSize, offset, ...(status ? { status } : {}) };
      return admin
        ? client.GET('/api/orders', { params: { query } })
        : client.GET('/api/orders/user/{userId}', { params: { path: { userId: user.id }, query } });
    },
    [admin, user.id, offset, status],
  );
  const emails = useCustomerEmails(result.status === 'ready' ? result.data.items.map((order) => order.userId) : [], admin);

  return (
    <>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as OrderStatus | '');
              setOffset(0);
            }}
            style={{ width: 'auto' }}
          >
            <option value="">All statuses</option>
            {lifecycle.statuses.map((s) => (
              <option key={s} value={s}>
                {orderStatusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="btn" onClick={result.reload}>
          Refresh
        </button>
      </div>
      {result.status === 'loading' ? <Loading label="Loading orders…" /> : null}
      {result.status === 'error' ? (
        <ErrorState
          title="We could not load the orders"
          message={describeFailure(result.error)}
          action={
            <button type="button" className="btn" onClick={result.reload}>
              Try again
            </button>
          }
        />
      ) : null}
      {result.status === 'missing' ? <ErrorState title="Orders are not available" message="The order service is not running on this installation." /> : null}
      {result.status === 'ready' && result.data.items.length === 0 ? (
        <EmptyState
          title={status ? `No ${orderStatusLabel(status).toLowerCase()} orders` : admin ? 'No orders yet' : 'You have no orders yet'}
          action={
            admin ? undefined : (
              <Link className="btn btn-primary" href="/products">
                Start shopping
              </Link>
            )
          }
        />
      ) : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <div className="panel" style={{ padding: 0 }}>
          <div className="table-wrap">
            <table className="data" data-testid="orders-table">
              <caption className="visually-hidden">Orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  {admin ? <th scope="col">Customer</th> : null}
                  <th scope="col" className="num">
                    Items
                  </th>
                  <th scope="col" className="num">
                    Total
                  </th>
                  <th scope="col">Status</th>
                  {admin ? (
                    <th scope="col" className="num">
                      Change status
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {result.data.items.map((original) => {
                  const order = changed[original.id] ?? original;
                  return (
                    <tr key={order.id} data-order-id={order.id}>
                      <td>
                        <Link href={`/orders/${order.id}`} className="mono">
                          #{order.id.slice(0, 8)}
                        </Link>
                      </td>
                      <td className="nowrap">{formatDateTime(order.createdAt)}</td>
                      {admin ? <td className="small">{emails[order.userId] ?? <span className="muted">…</span>}</td> : null}
                      <td className="num">{order.items.reduce((sum, item) => sum + item.quantity, 0)}</td>
                      <td className="num">{formatPrice(order.total, order.currency)}</td>
                      <td>
                        <StatusPill status={order.status} />
                      </td>
                      {admin ? (
                        <td className="num">
                          <OrderStatusControl
                            order={order}
                            lifecycle={lifecycle}
                            role="admin"
                            compact
                            onChanged={(next) => setChanged((all) => ({ ...all, [next.id]: next }))}
                          />
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <TablePager offset={result.data.offset} shown={result.data.items.length} total={result.data.total} pageSize={pageSize} onOffset={setOffset} />
        </div>
      ) : null}
    </>
  );
}

/** Orders: the shopper's own with their status; for an admin, every order with status changes. */
export function OrdersView({ lifecycle }: { lifecycle: OrderLifecycle }) {
  return (
    <RequireSession reason="Sign in to see your orders.">
      {(user) => (
        <>
          <div className="page-head">
            <h1>{user.role === 'admin' ? 'Orders' : 'My orders'}</h1>
          </div>
          <OrdersTable user={user} lifecycle={lifecycle} />
        </>
      )}
    </RequireSession>
  );
}
