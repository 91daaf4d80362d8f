import type { OrderStatus } from '@dema/contracts';

const labels: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  CONFIRMED: 'Confirmed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  RETURNED: 'Returned',
};

/** An order status as a coloured label people read ("Shipped"), with the status code for tests. */
export function StatusPill({ status }: { status: OrderStatus }) {
  return (
    <span className={`pill status-${status}`} data-status={status}>
      {labels[status]}
    </span>
  );
}

export const statusLabel = (status: OrderStatus): string => labels[status];
