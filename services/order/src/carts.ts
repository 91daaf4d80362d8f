import { ErrorCode, fromCents, toCents, toWireAmount, type Cart, type CartItem, type Product, type SetCartItem, type StockReservations } from '@dema/contracts';
import { conflict, notFound, unprocessable } from '@dema/platform';
import type { CartStore } from './db/cart.store.ts';

/**
 * Shopping carts. A cart keeps product ids, variants and quantities only; prices, names and stock
 * are read from the catalog whenever it is shown, and checked again when it is checked out (the
 * reservation), so a cart never sells at a stale price.
 */
export class Carts {
  constructor(
    private readonly store: CartStore,
    private readonly catalog: StockReservations,
  ) {}

  async view(userId: string): Promise<Cart> {
    const { lines, expiresAt } = await this.store.read(userId);
    const products = await Promise.all(lines.map((line) => this.catalog.getProduct(line.productId)));
    const items: CartItem[] = [];
    const problems: Cart['problems'] = [];
    let subtotal = 0n;
    for (const [index, line] of lines.entries()) {
      const product = products[index];
      const problem = (reason: string) => problems.push({ productId: line.productId, variantId: line.variantId, reason });
      if (!product) {
        problem('is no longer sold');
        continue;
      }
      const variant = line.variantId ? product.variants.find((v) => v.id === line.variantId) : undefined;
      if (line.variantId && !variant) {
        problem(`this variant of ${product.name} is no longer sold`);
        continue;
      }
      if (!line.variantId && product.variants.length > 0) problem(`choose a variant of ${product.name}`);
      const price = variant?.price ?? product.price;
      const available = variant?.stock ?? product.stock;
      if (line.quantity > available) problem(available === 0 ? `${product.name} is out of stock` : `only ${available} of ${product.name} in stock`);
      const lineCents = toCents(price) * BigInt(line.quantity);
      subtotal += lineCents;
      items.push({
        productId: product.id,
        variantId: variant?.id ?? null,
        quantity: line.quantity,
        name: variant ? `${product.name} (${variant.name})` : product.name,
        price,
        lineTotal: toWireAmount(fromCents(lineCents)),
        image: product.images[0] ?? null,
        available,
      });
    }
    return { items, subtotal: toWireAmount(fromCents(subtotal)), problems, expiresAt };
  }

  /**
   * Sets how many of a product, or of one of its variants, the cart holds (each variant is a line
   * of its own). Refuses a product that does
   * not exist (404), a missing or foreign variant (422) and more than is in stock now (409).
   */
  async setItem(userId: string, productIdAsGiven: string, input: SetCartItem): Promise<Cart> {
    // Lines are keyed by product id: the same uuid in another letter case must be the same line.
    const productId = productIdAsGiven.toLowerCase();
    const product = await this.catalog.getProduct(productId);
    if (!product) throw notFound(ErrorCode.PRODUCT_NOT_FOUND, `No product ${productId}`);
    const variantId = input.variantId?.toLowerCase() ?? null;
    checkVariant(product, variantId);
    const variant = variantId ? product.variants.find((v) => v.id === variantId) : undefined;
    const available = variant?.stock ?? product.stock;
    if (input.quantity > available) {
      const name = variant ? `${product.name} (${variant.name})` : product.name;
      throw conflict(ErrorCode.INSUFFICIENT_STOCK, `Only ${available} of ${name} (${productId}) in stock`, [
        { name: 'body.quantity', reason: `${input.quantity} requested, ${available} in stock` },
      ]);
    }
    await this.store.put(userId, { productId, variantId, quantity: input.quantity });
    return this.view(userId);
  }

  /**
   * Removes the line of the product in `variantId`, or (no `variantId`) every line of the product;
   * 404 when the cart holds no such line.
   */
  async removeItem(userId: string, productId: string, variantId?: string): Promise<Cart> {
    const removed = await this.store.remove(userId, productId.toLowerCase(), variantId?.toLowerCase());
    if (!removed) {
      throw notFound(
        ErrorCode.NOT_FOUND,
        variantId ? `The cart holds no variant ${variantId} of product ${productId}` : `The cart holds no product ${productId}`,
      );
    }
    return this.view(userId);
  }

  clear(userId: string): Promise<void> {
    return this.store.clear(userId);
  }
}

function checkVariant(product: Product, variantId: string | null): void {
  if (variantId === null && product.variants.length > 0) {
    throw unprocessable(ErrorCode.STOCK_MANAGED_BY_VARIANTS, 'body.variantId', `is required: ${product.name} is sold by variant`);
  }
  if (variantId !== null && !product.variants.some((v) => v.id === variantId)) {
    throw unprocessable(ErrorCode.VARIANT_NOT_FOUND, 'body.variantId', `is not a variant of ${product.name} (${product.id})`);
  }
}
