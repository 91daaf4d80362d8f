import { useRouter } from 'expo-router';
import { ActivityIndicator, FlatList, Pressable, RefreshControl, StyleSheet, Text, View } from 'react-native';
import { DemaApiError, type DemaClient } from '@dema/client';
import { formatDateTime, formatPrice, type Order, orderStatusLabel } from '@dema/contracts';
import { ScreenState } from '../../components/screen-state.tsx';
import { useSession } from '../../lib/auth/session.tsx';
import { StatusBadge } from './order-views.tsx';
import { useOrders } from './use-orders.ts';

const itemCount = (order: Order) => order.items.reduce((sum, item) => sum + item.quantity, 0);

function OrderRow({ order, onOpen }: { order: Order; onOpen: () => void }) {
  const count = itemCount(order);
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={`Order ${order.id.slice(0, 8)}, ${orderStatusLabel(order.status)}, ${count} ${count === 1 ? 'item' : 'items'}, ${formatPrice(order.total, order.currency)}`}
      accessibilityHint="Opens the order"
      onPress={onOpen}
      style={({ pressed }) => [styles.row, pressed ? styles.pressed : null]}
    >
      <View style={styles.rowMain}>
        <Text style={styles.rowTitle}>Order #{order.id.slice(0, 8)}</Text>
        <Text style={styles.rowMeta}>
          {formatDateTime(order.createdAt)} · {count} {count === 1 ? 'item' : 'items'}
        </Text>
      </View>
      <View style={styles.rowSide}>
        <Text style={styles.total}>{formatPrice(order.total, order.currency)}</Text>
        <StatusBadge status={order.status} />
      </View>
    </Pressable>
  );
}

/** My orders: newest first, more as the list is scrolled, pull to refresh, each opening its detail. */
export function OrdersScreen({ client }: { client: DemaClient }) {
  const session = useSession();
  const router = useRouter();
  const signedIn = session.state.status === 'signed-in';
  const orders = useOrders(client, signedIn);

  if (session.state.status === 'restoring') return <ScreenState kind="loading" title="Loading your orders…" />;
  if (!signedIn) {
    return (
      <ScreenState
        kind="empty"
        title="Sign in to see your orders"
        action={{ label: 'Sign in', onPress: () => router.push('/login?next=/orders'), accessibilityLabel: 'Sign in to see your orders' }}
      />
    );
  }
  const items = orders.data?.pages.flatMap((page) => page.items) ?? [];
  if (orders.isPending) return <ScreenState kind="loading" title="Loading your orders…" />;
  if (orders.isError && items.length === 0) {
    const offline = orders.error instanceof DemaApiError && orders.error.status === 0;
    return (
      <ScreenState
        kind={offline ? 'offline' : 'error'}
        title={offline ? 'You are offline' : 'We could not load your orders'}
        message={offline ? 'Your orders show once the store can be reached.' : 'Please try again in a moment.'}
        action={{ label: 'Try again', onPress: () => void orders.refetch(), accessibilityLabel: 'Load your orders again' }}
      />
    );
  }
  if (items.length === 0) {
    return (
      <ScreenState
        kind="empty"
        title="You have no orders yet"
        message="What you order shows here, with its status."
        action={{ label: 'Start shopping', onPress: () => router.push('/') }}
      />
    );
  }
  return (
    <FlatList
      data={items}
      keyExtractor={(order) => order.id}
      renderItem={({ item }) => <OrderRow order={item} onOpen={() => router.push(`/orders/${item.id}`)} />}
      ListHeaderComponent={
        orders.isError ? (
          <Text style={styles.stale} accessibilityRole="alert">
            Showing the orders last loaded: the store cannot be reached right now.
          </Text>
        ) : null
      }
      ListFooterComponent={orders.isFetchingNextPage ? <ActivityIndicator style={styles.more} accessibilityLabel="Loading more orders" /> : null}
      onEndReached={() => {
        if (orders.hasNextPage && !orders.isFetchingNextPage) void orders.fetchNextPage();
      }}
      onEndReachedThreshold={0.5}
      refreshControl={
        <RefreshControl
          refreshing={orders.isRefetching && !orders.isFetchingNextPage}
          onRefresh={() => void orders.refetch()}
          accessibilityLabel="Refresh your orders"
        />
      }
      contentContainerStyle={styles.list}
    />
  );
}

const styles = StyleSheet.create({
  list: { padding: 12, gap: 8 },
  row: {
    minHeight: 64,
    flexDirection: 'row',
    alignItems: 'center',
    gap: 12,
    padding: 14,
    backgroundColor: '#ffffff',
    borderRadius: 12,
    borderWidth: 1,
    borderColor: '#e5e7eb',
  },
  pressed: { backgroundColor: '#f3f4f6' },
  rowMain: { flex: 1, gap: 4 },
  rowTitle: { fontSize: 16, fontWeight: '600', color: '#111827' },
  rowMeta: { fontSize: 14, color: '#4b5563' },
  rowSide: { alignItems: 'flex-end', gap: 6 },
  total: { fontSize: 16, fontWeight: '700', color: '#111827' },
  stale: { backgroundColor: '#fffbeb', color: '#92400e', padding: 10, borderRadius: 8, fontSize: 14 },
  more: { margin: 16 },
});
