import { OrdersScreen } from '../../features/orders/orders-screen.tsx';
import { demaClient } from '../../lib/auth/dema-client.ts';

export default function OrdersRoute() {
  return <OrdersScreen client={demaClient} />;
}
