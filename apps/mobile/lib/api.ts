import type {
  Address,
  Cart,
  CategoryList,
  CheckoutPreview,
  CheckoutSettings,
  CreateOrder,
  Order,
  Product,
  ProductPage,
  ProductSort,
  SavedAddress,
  ShippingOption,
} from '@dema/contracts';
import { type DemaClient, DemaApiError, describeFailure, placeOrder } from '@dema/client';

export { describeFailure };

/**
 * What the screens need from the API, over the shared typed client. One small interface so a screen's data hook
 * reads as what it does; tests run it over a fetch stub, never a fake of this interface.
 */
export interface DemaApi {
  listProducts(query: CatalogQuery & { limit: number; offset: number }): Promise<ProductPage>;
  listCategories(): Promise<CategoryList>;
  getProduct(id: string): Promise<Product>;
  getCart(): Promise<Cart>;
  setCartItem(productId: string, quantity: number, variantId?: string | null): Promise<Cart>;
  /** Removes one line: the product, or the given variant of it. */
  removeCartItem(productId: string, variantId?: string | null): Promise<Cart>;
  /** Checks out; the same `idempotencyKey` on a retry answers the first order instead of placing two. */
  placeOrder(body: CreateOrder, idempotencyKey: string): Promise<Order>;
  /** The shipping methods that take the cart to `address`, priced; 422 SHIPPING_UNAVAILABLE when no zone covers it. */
  shippingOptions(address: Address): Promise<ShippingOption[]>;
  /** What `placeOrder` with this body would charge, without placing anything. */
  previewCheckout(body: CreateOrder): Promise<CheckoutPreview>;
  listSavedAddresses(): Promise<SavedAddress[]>;
  /** The store's checkout settings: its currency and the countries it ships to, among others. */
  checkoutSettings(): Promise<CheckoutSettings>;
}

export type CatalogQuery = { q?: string; category?: string; sort: ProductSort };

export const isOffline = (error: unknown): boolean => error instanceof DemaApiError && error.status === 0;
export const isSignedOut = (error: unknown): boolean => error instanceof DemaApiError && error.status === 401;

// The generated document types answers from the schemas; the contracts' types are the same shapes, named.
export function createClientApi(client: DemaClient): DemaApi {
  return {
    async listProducts({ q, category, sort, limit, offset }) {
      const query = { sort, limit, offset, ...(q ? { q } : {}), ...(category ? { category } : {}) };
      return (await client.GET('/api/products', { params: { query } })) as ProductPage;
    },
    listCategories: async () => (await client.GET('/api/categories')) as CategoryList,
    getProduct: async (id) => (await client.GET('/api/products/{id}', { params: { path: { id } } })) as Product,
    getCart: async () => (await client.GET('/api/cart')) as Cart,
    setCartItem: async (productId, quantity, variantId) =>
      (await client.PUT('/api/cart/items/{productId}', {
        params: { path: { productId } },
        body: variantId ? { quantity, variantId } : { quantity },
      })) as Cart,
    removeCartItem: async (productId, variantId) =>
      (await client.DELETE('/api/cart/items/{productId}', { params: { path: { productId }, query: variantId ? { variantId } : undefined } })) as Cart,
    placeOrder: (body, idempotencyKey) => placeOrder(client, body, { idempotencyKey }),
    shippingOptions: async (address) => (await client.POST('/api/checkout/shipping-options', { body: { address, fromCart: true } })).items,
    previewCheckout: async (body) => (await client.POST('/api/checkout/preview', { body })) as CheckoutPreview,
    listSavedAddresses: async () => ((await client.GET('/api/users/me/addresses')) as { items: SavedAddress[] }).items,
    checkoutSettings: async () => (await client.GET('/api/checkout-settings')) as CheckoutSettings,
  };
}
