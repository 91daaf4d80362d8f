'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { Order } from '@dema/contracts';
import { formatDateTime, formatPrice, fulfilmentPath, orderStatusLabel } from '@dema/contracts';
import { describeFailure } from '@dema/client';
import type { OrderLifecycle } from '../lib/order-lifecycle.ts';
import { useApi } from '../lib/use-api.ts';
import { AddressLines, OrderBreakdown } from './order-breakdown.tsx';
import { OrderPayment } from './order-payment.tsx';
import { OrderStatusControl } from './order-status-control.tsx';
import { RequireSession } from './require-session.tsx';
import { ErrorState, Loading } from './states.tsx';
import { StatusPill } from './status-pill.tsx';

function Timeline({ order }: { order: Order }) {
  const ended = order.status === 'CANCELLED' || order.status === 'RETURNED';
  const reached = fulfilmentPath.indexOf(order.status);
  return (
    <ol className="timeline" aria-label="Order progress">
      {fulfilmentPath.map((step, index) => {
        const state = !ended && index === reached ? 'current' : !ended && index < reached ? 'done' : '';
        return (
          <li key={step} className={state} aria-current={state === 'current' ? 'step' : undefined}>
            {orderStatusLabel(step)}
          </li>
        );
      })}
      {ended ? (
        <li className="current" aria-current="step">
          {orderStatusLabel(order.status)}
        </li>
      ) : null}
    </ol>
  );
}

/** Where the order goes, how, and who pays: the addresses and the shipping method it was placed with. */
function Delivery({ order }: { order: Order }) {
  return (
    <div className="panel" data-testid="order-delivery">
      <div className="panel-title">
        <h2>Delivery</h2>
      </div>
      <div className="address-pair">
        {order.shippingAddress ? (
          <div>
            <p className="muted small">Ships to</p>
            <AddressLines address={order.shippingAddress} />
            {order.shippingMethod ? (
              <p style={{ marginTop: 8 }}>
                <span className="muted small">Shipping method</span>
                <br />
                <span data-testid="order-shipping-method">{order.shippingMethod.name}</span>
              </p>
            ) : null}
          </div>
        ) : null}
        {order.billingAddress ? (
          <div>
            <p className="muted small">Billing address</p>
            <AddressLines address={order.billingAddress} />
          </div>
        ) : null}
      </div>
    </div>
  );
}

/**
 * One order: status (kept current while the page is open), progress, items with the order's figures,
 * its payment (with the admin's payment moves), delivery and the allowed status moves.
 */
export function OrderDetailView({ id, placed, lifecycle, stripeJsUrl }: { id: string; placed: boolean; lifecycle: OrderLifecycle; stripeJsUrl: string }) {
  const result = useApi((client) => client.GET('/api/orders/{id}', { params: { path: { id } } }), [id]);
  const [changed, setChanged] = useState<Order | null>(null);
  const reload = result.reload;
  // A shopper who comes back to the tab sees the status as it is now.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') {
        setChanged(null);
        reload();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    const timer = window.setInterval(onVisible, 30_000);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.clearInterval(timer);
    };
  }, [reload]);

  return (
    <RequireSession reason="Sign in to see this order.">
      {(user) => {
        if (result.status === 'loading') return <Loading label="Loading order…" />;
        if (result.status === 'error' || result.status === 'missing') {
          const notFound = result.status === 'missing' || result.error.status === 404;
          return (
            <ErrorState
              title={notFound ? 'Order not found' : 'We could not load this order'}
              message={notFound ? 'There is no order with this number in your account.' : describeFailure(result.error)}
              action={
                <Link className="btn" href="/orders">
                  All orders
                </Link>
              }
            />
          );
        }
        const order = changed ?? result.data;
        const hasDiscount = order.items.some((item) => item.discount > 0);
        return (
          <>
            {placed ? (
              <div className="alert alert-success" role="status">
                Thank you! Your order has been placed. We will keep you posted on its progress here.
              </div>
            ) : null}
            <div className="page-head">
              <div>
                <p className="muted small" style={{ margin: 0 }}>
                  <Link href="/orders">← {user.role === 'admin' ? 'Orders' : 'My orders'}</Link>
                </p>
                <h1>
                  Order <span className="mono">#{order.id.slice(0, 8)}</span>
                </h1>
                <p className="muted" style={{ margin: 0 }}>
                  Placed {formatDateTime(order.createdAt)} · updated {formatDateTime(order.updatedAt)}
                </p>
              </div>
              <div data-testid="order-status">
                <StatusPill status={order.status} />
              </div>
            </div>
            <div className="panel">
              <Timeline order={order} />
            </div>
            <div className="panel">
              <div className="panel-title">
                <h2>Items</h2>
              </div>
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Item</th>
                      <th scope="col" className="num">
                        Qty
                      </th>
                      <th scope="col" className="num">
                        Price
                      </th>
                      <th scope="col" className="num">
                        Total
                      </th>
                      {hasDiscount ? (
                        <th scope="col" className="num">
                          Discount
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {order.items.map((item) => (
                      <tr key={`${item.productId}:${item.variantId ?? ''}`}>
                        <td>
                          <Link href={`/products/${item.productId}`}>{item.name}</Link>
                        </td>
                        <td className="num">{item.quantity}</td>
                        <td className="num">{formatPrice(item.price, order.currency)}</td>
                        <td className="num">{formatPrice(item.lineTotal, order.currency)}</td>
                        {hasDiscount ? <td className="num">{item.discount > 0 ? `−${formatPrice(item.discount, order.currency)}` : '—'}</td> : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="order-figures">
                <OrderBreakdown figures={order} prefix="order" />
              </div>
            </div>
            <OrderPayment orderId={order.id} version={order.updatedAt} stripeJsUrl={stripeJsUrl} />
            {order.shippingAddress || order.billingAddress ? <Delivery order={order} /> : null}
            <div className="panel">
              <OrderStatusControl order={order} lifecycle={lifecycle} role={user.role} onChanged={setChanged} />
              {user.role === 'admin' ? (
                <p className="muted small" style={{ margin: '8px 0 0' }}>
                  Customer <span className="mono">{order.userId}</span>
                </p>
              ) : null}
            </div>
          </>
        );
      }}
    </RequireSession>
  );
}
