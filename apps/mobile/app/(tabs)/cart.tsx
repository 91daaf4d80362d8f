import { formatPrice, type Cart, type CartItem } from '@dema/contracts';
import { useRouter } from 'expo-router';
import { FlatList, Text, View } from 'react-native';
import { ActionButton } from '../../components/action-button.tsx';
import { Failure, ScreenState } from '../../components/screen-state.tsx';
import { OfflineBanner, styles } from '../../components/ui.tsx';
import { describeFailure, isOffline } from '../../lib/api.ts';
import { useApi } from '../../lib/api-context.tsx';
import { useCart, useSetCartItem, useStoreCurrency } from '../../lib/hooks.ts';

export default function CartScreen() {
  const { signedIn, restoring } = useApi();
  const router = useRouter();
  const cart = useCart();
  if (restoring) return <ScreenState kind="loading" title="Loading your cart" />;
  if (!signedIn) {
    return <ScreenState kind="empty" title="Sign in to see your cart" action={{ label: 'Sign in', onPress: () => router.push('/login') }} />;
  }
  if (cart.isPending) return <ScreenState kind="loading" title="Loading your cart" />;
  if (!cart.data) return <Failure error={cart.error} onRetry={() => void cart.refetch()} />;
  return <CartView cart={cart.data} stale={cart.isError && isOffline(cart.error)} onCheckout={() => router.push('/checkout')} />;
}

function CartView({ cart, stale, onCheckout }: { cart: Cart; stale: boolean; onCheckout: () => void }) {
  const setItem = useSetCartItem();
  const currency = useStoreCurrency(cart.items.length > 0);
  if (cart.items.length === 0) return <ScreenState kind="empty" title="Your cart is empty" />;
  const problemOf = (item: CartItem) => cart.problems.find((problem) => problem.productId === item.productId && problem.variantId === item.variantId)?.reason;
  return (
    <View style={styles.screen}>
      {stale ? <OfflineBanner /> : null}
      <FlatList
        data={cart.items}
        keyExtractor={(item) => `${item.productId}:${item.variantId ?? ''}`}
        renderItem={({ item }) => {
          const problem = problemOf(item);
          return (
            <View style={{ padding: 12, gap: 6 }}>
              <Text style={styles.body}>{item.name}</Text>
              <Text style={styles.muted}>
                {item.quantity} × {formatPrice(item.price, currency)} = {formatPrice(item.lineTotal, currency)}
              </Text>
              {problem ? (
                <Text style={styles.problem} accessibilityRole="alert">
                  {problem}
                </Text>
              ) : null}
              <View style={styles.row}>
                <ActionButton
                  tone="outline"
                  label="−"
                  accessibilityLabel={`One less ${item.name}`}
                  disabled={setItem.isPending}
                  onPress={() => setItem.mutate({ productId: item.productId, quantity: item.quantity - 1, variantId: item.variantId })}
                />
                <Text style={styles.body} accessibilityLabel={`Quantity ${item.quantity}`}>
                  {item.quantity}
                </Text>
                <ActionButton
                  tone="outline"
                  label="+"
                  accessibilityLabel={`One more ${item.name}`}
                  disabled={setItem.isPending || item.quantity >= item.available}
                  onPress={() => setItem.mutate({ productId: item.productId, quantity: item.quantity + 1, variantId: item.variantId })}
                />
                <ActionButton
                  tone="outline"
                  label="Remove"
                  accessibilityLabel={`Remove ${item.name}`}
                  disabled={setItem.isPending}
                  onPress={() => setItem.mutate({ productId: item.productId, quantity: 0 })}
                />
              </View>
            </View>
          );
        }}
        ListFooterComponent={
          <View style={{ padding: 12, gap: 12 }}>
            {setItem.isError ? (
              <Text style={styles.problem} accessibilityRole="alert">
                {describeFailure(setItem.error)}
              </Text>
            ) : null}
            <Text style={styles.title}>Subtotal {formatPrice(cart.subtotal, currency)}</Text>
            {cart.problems.length > 0 ? <Text style={styles.problem}>Fix the marked lines before checking out.</Text> : null}
            <ActionButton label="Check out" accessibilityLabel="Check out" disabled={cart.problems.length > 0 || stale} onPress={onCheckout} />
          </View>
        }
      />
    </View>
  );
}
