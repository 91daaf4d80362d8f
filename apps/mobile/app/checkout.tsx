import { formatPrice } from '@dema/contracts';
import { useRouter } from 'expo-router';
import { useState } from 'react';
import { ScrollView, Text } from 'react-native';
import { ActionButton } from '../components/action-button.tsx';
import { Failure, ScreenState } from '../components/screen-state.tsx';
import { styles } from '../components/ui.tsx';
import { newIdempotencyKey } from '@dema/client';
import { describeFailure } from '../lib/api.ts';
import { useApi } from '../lib/api-context.tsx';
import { useCart, usePlaceOrder } from '../lib/hooks.ts';

export default function CheckoutScreen() {
  const { signedIn, restoring } = useApi();
  const router = useRouter();
  const cart = useCart();
  const place = usePlaceOrder();
  // One key per checkout attempt: pressing again after a lost answer cannot place a second order.
  const [idempotencyKey] = useState(newIdempotencyKey);

  if (restoring) return <ScreenState kind="loading" title="Loading your cart" />;
  if (!signedIn) {
    return <ScreenState kind="empty" title="Sign in to check out" action={{ label: 'Sign in', onPress: () => router.push('/login') }} />;
  }
  // Placed: on the way to the order's screen, past the now empty cart.
  if (place.isSuccess) return <ScreenState kind="loading" title="Opening your order" />;
  if (cart.isPending) return <ScreenState kind="loading" title="Loading your cart" />;
  if (!cart.data) return <Failure error={cart.error} onRetry={() => void cart.refetch()} />;
  if (cart.data.items.length === 0) return <ScreenState kind="empty" title="Your cart is empty" />;
  const blocked = cart.data.problems.length > 0;
  return (
    <ScrollView style={styles.screen} contentContainerStyle={{ padding: 16, gap: 12 }}>
      {cart.data.items.map((item) => (
        <Text key={`${item.productId}:${item.variantId ?? ''}`} style={styles.body}>
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
      <ActionButton
        label={place.isPending ? 'Placing order…' : 'Place order'}
        accessibilityLabel="Place order"
        disabled={blocked || place.isPending}
        // The placed order's own screen: its status, kept current while it is open.
        onPress={() => place.mutate({ idempotencyKey }, { onSuccess: (order) => router.replace(`/orders/${order.id}`) })}
      />
    </ScrollView>
  );
}
