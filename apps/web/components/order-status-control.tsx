'use client';

import { useId, useState } from 'react';
import type { Order, OrderStatus } from '@dema/contracts';
import { describeFailure } from '@dema/client';
import { allowedMoves, type OrderLifecycle } from '../lib/order-lifecycle.ts';
import { api } from '../lib/session.ts';
import { orderStatusLabel } from '@dema/contracts';

const verbs: Partial<Record<OrderStatus, string>> = {
  CONFIRMED: 'Confirm',
  SHIPPED: 'Mark shipped',
  DELIVERED: 'Mark delivered',
  CANCELLED: 'Cancel order',
  RETURNED: 'Mark returned',
};

/**
 * The status moves the user may make on an order, from the lifecycle table: an admin picks any
 * allowed next status, a customer gets "Cancel order" while that is allowed. Errors are announced.
 */
export function OrderStatusControl({
  order,
  lifecycle,
  role,
  compact = false,
  onChanged,
}: {
  order: Order;
  lifecycle: OrderLifecycle;
  role: 'customer' | 'admin';
  compact?: boolean;
  onChanged: (order: Order) => void;
}) {
  const moves = allowedMoves(lifecycle, order.status, role);
  const selectId = useId();
  const [target, setTarget] = useState<OrderStatus | ''>(moves[0] ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (moves.length === 0) return compact ? <span className="muted small">—</span> : null;

  async function move(to: OrderStatus): Promise<void> {
    if (to === 'CANCELLED' && role === 'customer' && !window.confirm('Cancel this order?')) return;
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.PUT('/api/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: to } }));
    } catch (caught) {
      setError(describeFailure(caught));
    } finally {
      setBusy(false);
    }
  }

  const errorNode = (
    <span aria-live="assertive">
      {error ? (
        <span className="field-error" role="alert" style={{ display: 'block' }}>
          {error}
        </span>
      ) : null}
    </span>
  );

  if (role === 'customer') {
    return (
      <div>
        {moves.map((to) => (
          <button key={to} type="button" className="btn btn-danger btn-small" disabled={busy} onClick={() => void move(to)}>
            {verbs[to] ?? orderStatusLabel(to)}
          </button>
        ))}
        {errorNode}
      </div>
    );
  }
  const selected = target && moves.includes(target) ? target : moves[0]!;
  return (
    <div>
      <div style={{ display: 'flex', gap: 6, alignItems: 'center', justifyContent: compact ? 'flex-end' : 'flex-start' }}>
        <label htmlFor={selectId} className="visually-hidden">
          New status for order {order.id.slice(0, 8)}
        </label>
        <select
          id={selectId}
          value={selected}
          onChange={(event) => setTarget(event.target.value as OrderStatus)}
          style={{ width: 'auto', minHeight: 32, padding: '4px 8px' }}
          disabled={busy}
        >
          {moves.map((to) => (
            <option key={to} value={to}>
              {orderStatusLabel(to)}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void move(selected)}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          Update
        </button>
      </div>
      {errorNode}
    </div>
  );
}
