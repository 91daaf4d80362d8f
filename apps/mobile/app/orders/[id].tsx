import { useLocalSearchParams } from 'expo-router';
import { OrderDetailScreen } from '../../features/orders/order-detail-screen.tsx';
import { demaClient } from '../../lib/auth/dema-client.ts';

export default function OrderRoute() {
  const { id } = useLocalSearchParams<{ id: string }>();
  return <OrderDetailScreen client={demaClient} id={id} />;
}
