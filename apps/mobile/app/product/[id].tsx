import { describeStock, formatPrice, type Product } from '@dema/contracts';
import { useLocalSearchParams, useRouter } from 'expo-router';
import { useState } from 'react';
import { Image, ScrollView, Text, View } from 'react-native';
import { ActionButton } from '../../components/action-button.tsx';
import { Failure, ScreenState } from '../../components/screen-state.tsx';
import { OfflineBanner, styles } from '../../components/ui.tsx';
import { describeFailure, isOffline } from '../../lib/api.ts';
import { useApi } from '../../lib/api-context.tsx';
import { useAddToCart, useProduct, useStoreCurrency } from '../../lib/hooks.ts';
import { imageUri } from '../(tabs)/index.tsx';

export default function ProductScreen() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const product = useProduct(id);
  if (product.isPending) return <ScreenState kind="loading" title="Loading product" />;
  if (!product.data) return <Failure error={product.error} onRetry={() => void product.refetch()} />;
  return <ProductView product={product.data} stale={product.isError && isOffline(product.error)} />;
}

function ProductView({ product, stale }: { product: Product; stale: boolean }) {
  const { signedIn } = useApi();
  const router = useRouter();
  const add = useAddToCart();
  const currency = useStoreCurrency();
  const [variantId, setVariantId] = useState<string | null>(product.variants[0]?.id ?? null);
  const variant = product.variants.find((item) => item.id === variantId) ?? null;
  const price = variant?.price ?? product.price;
  const stock = describeStock(variant ? variant.stock : product.stock);
  const specifications = Object.entries(product.specifications);

  return (
    <ScrollView style={styles.screen} contentContainerStyle={{ padding: 16, gap: 12 }}>
      {stale ? <OfflineBanner /> : null}
      {product.images.length > 0 ? (
        <ScrollView horizontal accessibilityLabel={`${product.images.length} images of ${product.name}`}>
          {product.images.map((image, index) => (
            <Image
              key={image}
              source={{ uri: imageUri(image) }}
              style={{ width: 240, height: 240, marginRight: 8 }}
              accessibilityLabel={`${product.name}, image ${index + 1}`}
            />
          ))}
        </ScrollView>
      ) : null}
      <Text style={styles.title} accessibilityRole="header" testID="product-name">
        {product.name}
      </Text>
      <Text style={styles.body}>{formatPrice(price, currency)}</Text>
      <Text style={stock.tone === 'out' ? styles.problem : styles.muted}>{stock.label}</Text>
      {product.description ? <Text style={styles.body}>{product.description}</Text> : null}
      {product.variants.length > 0 ? (
        <View style={styles.row} accessibilityLabel="Variants">
          {product.variants.map((item) => (
            <ActionButton
              key={item.id}
              tone="outline"
              label={item.name}
              accessibilityLabel={`Variant ${item.name}`}
              selected={item.id === variantId}
              onPress={() => setVariantId(item.id)}
            />
          ))}
        </View>
      ) : null}
      {specifications.length > 0 ? (
        <View accessibilityLabel="Specifications">
          {specifications.map(([name, value]) => (
            <Text key={name} style={styles.body}>
              {name}: {value}
            </Text>
          ))}
        </View>
      ) : null}
      {signedIn ? (
        <ActionButton
          label={add.isPending ? 'Adding…' : 'Add to cart'}
          accessibilityLabel={`Add ${product.name} to cart`}
          disabled={stock.tone === 'out' || add.isPending}
          onPress={() => add.mutate({ productId: product.id, quantity: 1, variantId })}
        />
      ) : (
        <ActionButton label="Sign in to buy" accessibilityLabel="Sign in to add to cart" onPress={() => router.push('/login')} />
      )}
      {add.isSuccess ? <Text style={styles.muted}>Added to your cart.</Text> : null}
      {add.isError ? (
        <Text style={styles.problem} accessibilityRole="alert">
          {describeFailure(add.error)}
        </Text>
      ) : null}
    </ScrollView>
  );
}
