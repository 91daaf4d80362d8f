import type { Metadata } from 'next';
import { customerTransitions, orderStatuses, orderTransitions } from '@dema/contracts';
import { OrdersView } from '../../../components/orders-view.tsx';

export const metadata: Metadata = { title: 'Orders' };

export default function OrdersPage() {
  return <OrdersView lifecycle={{ statuses: orderStatuses, transitions: orderTransitions, customer: customerTransitions }} />;
}
