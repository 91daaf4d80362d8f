import { type OrderStatus, orderStatusLabel } from '@dema/contracts';

/** An order status as a coloured label people read ("Shipped"), with the status code for tests. */
export function StatusPill({ status }: { status: OrderStatus }) {
  return (
    <span className={`pill status-${status}`} data-status={status}>
      {orderStatusLabel(status)}
    </span>
  );
}
