import { formatPrice, describeStock, type Product, type ProductSort } from '@dema/contracts';
import { useRouter } from 'expo-router';
import { useState } from 'react';
import { FlatList, Image, Pressable, RefreshControl, ScrollView, Text, TextInput, View } from 'react-native';
import { ActionButton } from '../../components/action-button.tsx';
import { Failure, ScreenState } from '../../components/screen-state.tsx';
import { minTarget, OfflineBanner, styles } from '../../components/ui.tsx';
import { isOffline } from '../../lib/api.ts';
import { apiBaseUrl } from '../../lib/config.ts';
import { useCatalog, useCategories, useStoreCurrency } from '../../lib/hooks.ts';

const sorts: Array<{ sort: ProductSort; label: string }> = [
  { sort: 'newest', label: 'Newest' },
  { sort: 'price', label: 'Price: low to high' },
  { sort: '-price', label: 'Price: high to low' },
  { sort: 'name', label: 'Name' },
];

/** Images are stored as site paths (`/media/…`) or full URLs. */
export const imageUri = (image: string): string => (image.startsWith('/') ? `${apiBaseUrl}${image}` : image);

export default function CatalogScreen() {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<string | undefined>(undefined);
  const [sort, setSort] = useState<ProductSort>('newest');
  const catalog = useCatalog({ q: q || undefined, category, sort });
  const categories = useCategories();
  const products = catalog.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <View style={styles.screen}>
      <TextInput
        style={styles.input}
        accessibilityLabel="Search products"
        placeholder="Search products"
        value={search}
        onChangeText={setSearch}
        onSubmitEditing={() => setQ(search.trim())}
        returnKeyType="search"
      />
      <ScrollView horizontal style={styles.strip} contentContainerStyle={[styles.row, { paddingHorizontal: 12 }]} accessibilityLabel="Categories">
        <ActionButton tone="outline" label="All" accessibilityLabel="All categories" selected={category === undefined} onPress={() => setCategory(undefined)} />
        {(categories.data?.items ?? []).map((item) => (
          <ActionButton
            key={item.id}
            tone="outline"
            label={item.name}
            accessibilityLabel={`Category ${item.name}`}
            selected={category === item.id}
            onPress={() => setCategory(item.id)}
          />
        ))}
      </ScrollView>
      <ScrollView horizontal style={styles.strip} contentContainerStyle={[styles.row, { padding: 12 }]} accessibilityLabel="Sort">
        {sorts.map((item) => (
          <ActionButton
            key={item.sort}
            tone="outline"
            label={item.label}
            accessibilityLabel={`Sort by ${item.label}`}
            selected={sort === item.sort}
            onPress={() => setSort(item.sort)}
          />
        ))}
      </ScrollView>
      {catalog.isError && products.length > 0 && isOffline(catalog.error) ? <OfflineBanner /> : null}
      <CatalogList
        products={products}
        loading={catalog.isPending}
        error={products.length === 0 && catalog.isError ? catalog.error : null}
        filtered={Boolean(q || category)}
        refreshing={catalog.isRefetching && !catalog.isFetchingNextPage}
        loadingMore={catalog.isFetchingNextPage}
        onRefresh={() => void catalog.refetch()}
        onEndReached={() => {
          if (catalog.hasNextPage && !catalog.isFetchingNextPage) void catalog.fetchNextPage();
        }}
      />
    </View>
  );
}

type ListProps = {
  products: Product[];
  loading: boolean;
  error: unknown;
  filtered: boolean;
  refreshing: boolean;
  loadingMore: boolean;
  onRefresh: () => void;
  onEndReached: () => void;
};

function CatalogList({ products, loading, error, filtered, refreshing, loadingMore, onRefresh, onEndReached }: ListProps) {
  const router = useRouter();
  const currency = useStoreCurrency(products.length > 0);
  if (loading) return <ScreenState kind="loading" title="Loading products" />;
  if (error) return <Failure error={error} onRetry={onRefresh} />;
  return (
    <FlatList
      data={products}
      keyExtractor={(product) => product.id}
      onEndReached={onEndReached}
      onEndReachedThreshold={0.5}
      refreshControl={<RefreshControl refreshing={refreshing} onRefresh={onRefresh} accessibilityLabel="Pull to refresh" />}
      ListEmptyComponent={<ScreenState kind="empty" title={filtered ? 'No products match' : 'No products yet'} />}
      ListFooterComponent={loadingMore ? <ScreenState kind="loading" title="Loading more products" /> : null}
      renderItem={({ item }) => (
        <Pressable
          accessibilityRole="button"
          accessibilityLabel={`${item.name}, ${formatPrice(item.price, currency)}`}
          onPress={() => router.push({ pathname: '/product/[id]', params: { id: item.id } })}
          style={{ flexDirection: 'row', gap: 12, padding: 12, minHeight: minTarget }}
        >
          {item.images[0] ? <Image source={{ uri: imageUri(item.images[0]) }} style={{ width: 64, height: 64 }} accessibilityIgnoresInvertColors /> : null}
          <View style={{ flex: 1 }}>
            <Text style={styles.body}>{item.name}</Text>
            <Text style={styles.muted}>
              {formatPrice(item.price, currency)} · {describeStock(item.stock).label}
            </Text>
          </View>
        </Pressable>
      )}
    />
  );
}
