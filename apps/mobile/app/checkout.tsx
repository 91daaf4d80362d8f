import { formatPrice } from '@dema/contracts';
import { useRouter } from 'expo-router';
import { useState } from 'react';
import { ScrollView, Text } from 'react-native';
import { Button, Empty, Failure, Loading, styles } from '../components/ui.tsx';
import { describeFailure, newIdempotencyKey } from '../lib/api.ts';
import { useApi } from '../lib/api-context.tsx';
import { useCart, usePlaceOrder } from '../lib/hooks.ts';

export default function CheckoutScreen() {
  const { signedIn } = useApi();
  const router = useRouter();
  const cart = useCart();
  const place = usePlaceOrder();
  // One key per checkout attempt: pressing again after a lost answer cannot place a second order.
  const [idempotencyKey] = useState(newIdempotencyKey);

  if (!signedIn) {
    return (
      <Empty title="Sign in to check out">
        <Button label="Sign in" accessibilityLabel="Sign in" onPress={() => router.push('/login')} />
      </Empty>
    );
  }
  if (place.isSuccess) {
    return (
      <Empty title="Order placed">
        <Text style={styles.body}>
          Order {place.data.id.slice(0, 8)} · {formatPrice(place.data.total)}
        </Text>
        <Button label="Keep shopping" accessibilityLabel="Keep shopping" onPress={() => router.replace('/')} />
      </Empty>
    );
  }
  if (cart.isPending) return <Loading label="Loading your cart" />;
  if (!cart.data) return <Failure error={cart.error} onRetry={() => void cart.refetch()} />;
  if (cart.data.items.length === 0) return <Empty title="Your cart is empty" />;
  const blocked = cart.data.problems.length > 0;
  return (
    <ScrollView style={styles.screen} contentContainerStyle={{ padding: 16, gap: 12 }}>
      {cart.data.items.map((item) => (
        <Text key={item.productId} style={styles.body}>
          {item.quantity} × {item.name} · {formatPrice(item.lineTotal)}
        </Text>
      ))}
      <Text style={styles.title}>Total {formatPrice(cart.data.subtotal)}</Text>
      {blocked ? <Text style={styles.problem}>Some lines cannot be ordered as they are: fix them in the cart.</Text> : null}
      {place.isError ? (
        <Text style={styles.problem} accessibilityRole="alert">
          {describeFailure(place.error)}
        </Text>
      ) : null}
      <Button
        label={place.isPending ? 'Placing order…' : 'Place order'}
        accessibilityLabel="Place order"
        disabled={blocked || place.isPending}
        onPress={() => place.mutate({ idempotencyKey })}
      />
    </ScrollView>
  );
}
