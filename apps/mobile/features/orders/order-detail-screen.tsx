import { useRouter } from 'expo-router';
import { ScrollView, StyleSheet, Text, View } from 'react-native';
import { DemaApiError, type DemaClient } from '@dema/client';
import { type Address, countryRules, formatDateTime, formatPrice, type Order } from '@dema/contracts';
import { ScreenState } from '../../components/screen-state.tsx';
import { useSession } from '../../lib/auth/session.tsx';
import { OrderProgress, StatusBadge } from './order-views.tsx';
import { useOrder, type WatchOptions } from './use-orders.ts';

export function OrderDetailView({ order, stale }: { order: Order; stale: boolean }) {
  return (
    <ScrollView contentContainerStyle={styles.content}>
      {stale ? (
        <Text style={styles.stale} accessibilityRole="alert">
          The store cannot be reached: this is the order as last loaded.
        </Text>
      ) : null}
      <Text style={styles.title} accessibilityRole="header">
        Order #{order.id.slice(0, 8)}
      </Text>
      <Text style={styles.meta}>
        Placed {formatDateTime(order.createdAt)} · updated {formatDateTime(order.updatedAt)}
      </Text>
      {/* Announced when the status changes while the screen is open. */}
      <View style={styles.status} accessibilityLiveRegion="polite" testID="order-status">
        <StatusBadge status={order.status} />
      </View>
      <View style={styles.section}>
        <OrderProgress status={order.status} />
      </View>
      <View style={styles.section}>
        <Text style={styles.heading} accessibilityRole="header">
          Items
        </Text>
        {order.items.map((item) => (
          <View
            key={`${item.productId}:${item.variantId ?? ''}`}
            style={styles.item}
            accessible
            accessibilityLabel={`${item.name}, ${item.quantity} at ${formatPrice(item.price, order.currency)}, ${formatPrice(item.lineTotal, order.currency)}`}
          >
            <Text style={styles.itemName}>{item.name}</Text>
            <Text style={styles.itemMeta}>
              {item.quantity} × {formatPrice(item.price, order.currency)}
            </Text>
            <Text style={styles.itemTotal}>{formatPrice(item.lineTotal, order.currency)}</Text>
          </View>
        ))}
        <Amount label="Subtotal" value={formatPrice(order.subtotal, order.currency)} testID="order-subtotal" />
        {order.discountTotal > 0 ? (
          <Amount
            label={order.promotionCode ? `Discount (${order.promotionCode})` : 'Discount'}
            value={`−${formatPrice(order.discountTotal, order.currency)}`}
            testID="order-discount"
          />
        ) : null}
        {order.shippingMethod ? (
          <Amount
            label={`Shipping (${order.shippingMethod.name})`}
            value={order.shippingTotal === 0 ? 'Free' : formatPrice(order.shippingTotal, order.currency)}
            testID="order-shipping"
          />
        ) : null}
        <Amount label={order.pricesIncludeTax ? 'Tax included' : 'Tax'} value={formatPrice(order.taxTotal, order.currency)} testID="order-tax" />
        <View style={styles.totalRow} accessible accessibilityLabel={`Order total ${formatPrice(order.total, order.currency)}`} testID="order-total">
          <Text style={styles.totalLabel}>Order total</Text>
          <Text style={styles.totalValue}>{formatPrice(order.total, order.currency)}</Text>
        </View>
      </View>
      {order.shippingAddress ? (
        <View style={styles.section} accessible testID="order-shipping-address">
          <Text style={styles.heading} accessibilityRole="header">
            Shipping address
          </Text>
          {addressLines(order.shippingAddress).map((line) => (
            <Text key={line} style={styles.itemMeta}>
              {line}
            </Text>
          ))}
        </View>
      ) : null}
    </ScrollView>
  );
}

function Amount({ label, value, testID }: { label: string; value: string; testID: string }) {
  return (
    <View style={styles.amountRow} accessible accessibilityLabel={`${label} ${value}`} testID={testID}>
      <Text style={styles.itemMeta}>{label}</Text>
      <Text style={styles.itemMeta}>{value}</Text>
    </View>
  );
}

/** An address as it is written on a parcel, a line each. */
function addressLines(address: Address): string[] {
  const place = [address.postalCode, address.city, address.region].filter(Boolean).join(' ');
  return [
    `${address.firstName} ${address.lastName}`,
    address.company,
    address.line1,
    address.line2,
    place,
    countryRules[address.country]?.name ?? address.country,
    address.phone,
  ].filter((line): line is string => Boolean(line));
}

/** One order with its status updating live while the screen is open. */
export function OrderDetailScreen({ client, id, watchOptions }: { client: DemaClient; id: string; watchOptions?: WatchOptions }) {
  const session = useSession();
  const router = useRouter();
  const signedIn = session.state.status === 'signed-in';
  const order = useOrder(client, id, signedIn, watchOptions);

  if (session.state.status === 'restoring') return <ScreenState kind="loading" title="Loading the order…" />;
  if (!signedIn) {
    return (
      <ScreenState
        kind="empty"
        title="Sign in to see this order"
        action={{ label: 'Sign in', onPress: () => router.push(`/login?next=/orders/${id}`), accessibilityLabel: 'Sign in to see this order' }}
      />
    );
  }
  if (order.data) return <OrderDetailView order={order.data} stale={order.isError} />;
  if (order.isError) {
    const error = order.error;
    const offline = error instanceof DemaApiError && error.status === 0;
    const missing = error instanceof DemaApiError && (error.status === 404 || error.status === 400);
    return (
      <ScreenState
        kind={offline ? 'offline' : 'error'}
        title={offline ? 'You are offline' : missing ? 'Order not found' : 'We could not load this order'}
        message={
          offline
            ? 'The order shows once the store can be reached.'
            : missing
              ? 'There is no order with this number in your account.'
              : 'Please try again in a moment.'
        }
        action={
          missing
            ? { label: 'All orders', onPress: () => router.replace('/orders'), accessibilityLabel: 'Go to all your orders' }
            : { label: 'Try again', onPress: () => void order.refetch(), accessibilityLabel: 'Load the order again' }
        }
      />
    );
  }
  return <ScreenState kind="loading" title="Loading the order…" />;
}

const styles = StyleSheet.create({
  content: { padding: 20, paddingBottom: 40, backgroundColor: '#ffffff', flexGrow: 1 },
  stale: { backgroundColor: '#fffbeb', color: '#92400e', padding: 10, borderRadius: 8, fontSize: 14, marginBottom: 12 },
  title: { fontSize: 24, fontWeight: '700', color: '#111827' },
  meta: { fontSize: 14, color: '#4b5563', marginTop: 4 },
  status: { marginTop: 12 },
  section: { marginTop: 20, paddingTop: 16, borderTopWidth: StyleSheet.hairlineWidth, borderTopColor: '#e5e7eb', gap: 8 },
  heading: { fontSize: 18, fontWeight: '600', color: '#111827' },
  item: { flexDirection: 'row', flexWrap: 'wrap', alignItems: 'baseline', gap: 8, paddingVertical: 6 },
  itemName: { flexGrow: 1, flexShrink: 1, fontSize: 15, color: '#111827' },
  itemMeta: { fontSize: 14, color: '#4b5563' },
  itemTotal: { fontSize: 15, fontWeight: '600', color: '#111827' },
  amountRow: { flexDirection: 'row', flexWrap: 'wrap', justifyContent: 'space-between', gap: 8 },
  totalRow: { flexDirection: 'row', justifyContent: 'space-between', paddingTop: 8 },
  totalLabel: { fontSize: 16, fontWeight: '600', color: '#111827' },
  totalValue: { fontSize: 16, fontWeight: '700', color: '#111827' },
});
