import type { Cart, CreateOrder, Order } from '@dema/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CatalogQuery } from './api.ts';
import { orderQueryKey, ordersQueryKey } from '../features/orders/use-orders.ts';
import { useApi } from './api-context.tsx';

export const pageSize = 20;

/** The catalog, a page at a time; `fetchNextPage` while `hasNextPage` loads the next. */
export function useCatalog(query: CatalogQuery) {
  const { api } = useApi();
  return useInfiniteQuery({
    queryKey: ['catalog', query],
    queryFn: ({ pageParam }) => api.listProducts({ ...query, limit: pageSize, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.offset + last.items.length < last.total ? last.offset + last.items.length : undefined),
  });
}

export function useCategories() {
  const { api } = useApi();
  return useQuery({ queryKey: ['categories'], queryFn: () => api.listCategories() });
}

export function useProduct(id: string) {
  const { api } = useApi();
  return useQuery({ queryKey: ['product', id], queryFn: () => api.getProduct(id) });
}

/**
 * The store's currency, for prices that carry none of their own (catalog, cart); `undefined` until it
 * is known, which formats as USD. Orders and checkout previews say their own currency.
 */
export function useStoreCurrency(enabled = true): string | undefined {
  const { api } = useApi();
  const settings = useQuery({ queryKey: ['checkout-settings'], queryFn: () => api.checkoutSettings(), enabled, staleTime: 5 * 60_000 });
  return typeof settings.data?.currency === 'string' ? settings.data.currency : undefined;
}

export function useCart() {
  const { api, signedIn } = useApi();
  return useQuery({ queryKey: ['cart'], queryFn: () => api.getCart(), enabled: signedIn });
}

/** Sets a line's quantity (0 removes it); the answer is the whole cart, so the cart query takes it as is. */
export function useSetCartItem() {
  const { api } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ productId, quantity, variantId }: { productId: string; quantity: number; variantId?: string | null }) =>
      quantity > 0 ? api.setCartItem(productId, quantity, variantId) : api.removeCartItem(productId, variantId ?? null),
    onSuccess: (cart: Cart) => client.setQueryData(['cart'], cart),
  });
}

/** Adds units to what the cart holds of this product in this variant (each variant is a line of its own). */
export function useAddToCart() {
  const { api } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ productId, quantity, variantId }: { productId: string; quantity: number; variantId: string | null }) => {
      const held = await client.fetchQuery({ queryKey: ['cart'], queryFn: () => api.getCart(), staleTime: 5_000 });
      const line = held.items.find((item) => item.productId === productId && (item.variantId ?? null) === variantId);
      return api.setCartItem(productId, (line?.quantity ?? 0) + quantity, variantId);
    },
    onSuccess: (cart: Cart) => client.setQueryData(['cart'], cart),
  });
}

export function usePlaceOrder() {
  const { api } = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: CreateOrder; idempotencyKey: string }) => api.placeOrder(body, idempotencyKey),
    onSuccess: (order: Order) => {
      client.setQueryData(['cart'], (cart: Cart | undefined) => (cart ? { ...cart, items: [], subtotal: 0, problems: [] } : cart));
      // The order's screen shows it at once; the list has one more.
      client.setQueryData(orderQueryKey(order.id), order);
      void client.invalidateQueries({ queryKey: [...ordersQueryKey, 'list'] });
    },
  });
}

/** The customer's address book; checkout starts from the default shipping address. */
export function useSavedAddresses(enabled: boolean) {
  const { api, signedIn } = useApi();
  return useQuery({ queryKey: ['saved-addresses'], queryFn: () => api.listSavedAddresses(), enabled: signedIn && enabled });
}
