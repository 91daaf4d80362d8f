import {
  cacheConfigs,
  catalogStockTag,
  defaultCategoryId,
  ErrorCode,
  type Category,
  type CreateCategory,
  type CreateProduct,
  type Product,
  type ProductQuery,
  type StockAdjustment,
  type StockLevel,
  type UpdateCategory,
  type UpdateProduct,
  type VariantInput,
  type StockLine,
  type StockRelease,
  type StockReturn,
  type StockReservation,
  type StockReservations,
  trimmedName,
} from '@dema/contracts';
import {
  type AppError,
  badRequest,
  type Cache,
  type Compressor,
  conflict,
  type Db,
  encodeRepresentation,
  notFound,
  type OutboxRelay,
  recordAudit,
  type Queryable,
  type Representation,
  Representations,
  unprocessable,
  unprocessableContent,
} from '@dema/platform';
import * as products from './db/products.repository.ts';
import * as categories from './db/categories.repository.ts';
import * as reservations from './db/reservations.repository.ts';
import { isUuid, listCacheKey, productCacheTag } from './domain/product-query.ts';
import { recordProductDeleted } from './events/product-deleted.ts';
import { recordStockUpdated, recordStockUpdates } from './events/stock-updated.ts';

const productList = { name: 'product-list', ...cacheConfigs['product-list'] };
const productListIds = { name: 'product-list-ids', ...cacheConfigs['product-list-ids'] };
const productDetail = { name: 'product-detail', ...cacheConfigs['product-detail'] };
/** Any change to the catalog: every page and every product's detail. */
const catalogTags = ['products'] satisfies (typeof cacheConfigs)['product-detail']['tags'][number][];

const pgUniqueViolation = '23505';

/**
 * The Product service's use cases. Reads go through the cache as ready answers: the JSON text with
 * its brotli and gzip bytes, compressed once when the entry is filled; every write runs in one
 * transaction with the events it causes, then invalidates the `products` tag (on every instance)
 * and wakes the outbox relay. A write's answer is only sent after both.
 */
export class Catalog implements StockReservations {
  private readonly representations = new Representations();
  /** Pages answered without being kept, uncompressed: apart, so a page's cached codings are never taken for these. */
  private readonly unkeptPages = new Representations(1024 * 1024);

  /** `compressors` compress the answers of each cache (counted per cache in the metrics). */
  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly relay: OutboxRelay,
    private readonly compressors: Record<'product-list' | 'product-detail', Compressor>,
  ) {}

  /**
   * The page as the route sends it, in every coding. A page is cached under the tags of the products
   * it shows, so a move of another product's stock leaves it cached: which products those are is
   * read first (cached too, under `products`), since an entry's tags must be known before its load.
   * A page that filters on stock may gain or lose any product when stock moves: it is dropped by
   * every move (`catalogStockTag`), as are the ids it shows.
   */
  async listProducts(query: ProductQuery): Promise<Representation> {
    const key = listCacheKey(query);
    const stockTags = query.inStock === undefined ? [] : [catalogStockTag];
    const ids = JSON.parse(
      await this.cache.get(productListIds, key, async () => JSON.stringify(await products.listProductIds(this.reads, query)), stockTags),
    ) as string[];
    try {
      const text = await this.cache.get(
        productList,
        key,
        async () => {
          const page = await products.listProductsJson(this.reads, query);
          // The catalog changed between the two reads: this page is not the one the tags are of.
          if (page.ids.join() !== ids.join()) throw new PageMoved(page.json);
          return encodeRepresentation(page.json, this.compressorFor('product-list'));
        },
        [...stockTags, ...ids.map(productCacheTag)],
      );
      return this.representations.decode(text);
    } catch (error) {
      if (!(error instanceof PageMoved)) throw error;
      return this.unkeptPages.decode(await encodeRepresentation(error.json, null));
    }
  }

  /** The product as the route sends it, in every coding, or undefined when there is none (absence is not cached). */
  async productRepresentation(id: string): Promise<Representation | undefined> {
    const text = await this.cache
      .get(
        productDetail,
        id,
        async () => {
          const product = await products.findProductJson(this.reads, id);
          if (product === undefined) throw new ProductAbsent();
          return encodeRepresentation(product, this.compressorFor('product-detail'));
        },
        [productCacheTag(id)],
      )
      .catch((error: unknown) => {
        if (error instanceof ProductAbsent) return undefined;
        throw error;
      });
    return text === undefined ? undefined : this.representations.decode(text);
  }

  /**
   * Where catalog reads go: the replica when it has replayed every write committed so far, else the
   * primary. A fill right after a write's invalidation must not store what a lagging replica still
   * shows, or the admin who saved would see the old product until the entry expires. Stock checks
   * never read here: a reservation reads and takes stock in one transaction on the primary.
   */
  private get reads(): Queryable {
    return this.db.reader('current');
  }

  /** With the cache off every read is a fill: compressing then would be compressing per request. */
  private compressorFor(cache: keyof Catalog['compressors']): Compressor | null {
    return this.cache.state === 'disabled' ? null : this.compressors[cache];
  }

  async createProduct(sent: CreateProduct): Promise<Product> {
    const input = trimmedNames(sent);
    const variants = input.variants ?? [];
    checkStockSource(variants, input.stock, 'body.stock');
    checkDistinctSkus(variants);
    const product = await this.write(catalogTags, async (tx) => {
      if (input.categoryId !== undefined) await requireCategory(tx, input.categoryId);
      const id = await products.insertProduct(tx, {
        name: input.name,
        description: input.description ?? null,
        price: input.price.toFixed(2),
        stock: variants.length > 0 ? 0 : input.stock!,
        weightGrams: input.weightGrams ?? 0,
        categoryId: input.categoryId ?? defaultCategoryId,
      });
      await products.replaceSpecifications(tx, id, input.specifications ?? {});
      await products.replaceImages(tx, id, input.images ?? []);
      let stock = input.stock ?? 0;
      if (variants.length > 0) {
        await checkSkusFree(tx, id, variants);
        await products.replaceVariants(tx, id, variants);
        stock = await products.syncStockWithVariants(tx, id);
      }
      await recordStockUpdated(tx, id, 0, stock, 'MANUAL');
      const created = (await products.findProduct(tx, id))!;
      await recordAudit(tx, { action: 'product.created', resourceType: 'product', resourceId: id, before: null, after: created });
      return created;
    });
    return product;
  }

  async updateProduct(id: string, sent: UpdateProduct): Promise<Product> {
    const input = trimmedNames(sent);
    if (input.variants) {
      checkDistinctSkus(input.variants);
      checkDistinctVariantIds(input.variants);
    }
    return this.write(catalogTags, async (tx) => {
      const current = await products.lockProduct(tx, id);
      if (!current) throw productNotFound(id);
      const before = await products.findProduct(tx, id);
      if (input.categoryId !== undefined) await requireCategory(tx, input.categoryId);
      const willHaveVariants = input.variants ? input.variants.length > 0 : current.hasVariants;
      if (willHaveVariants && input.stock !== undefined) {
        throw unprocessable(ErrorCode.STOCK_MANAGED_BY_VARIANTS, 'body.stock', "cannot be set on a product with variants; set each variant's stock");
      }
      await products.updateProductFields(tx, id, {
        name: input.name,
        description: input.description,
        price: input.price?.toFixed(2),
        stock: input.stock,
        weightGrams: input.weightGrams,
        categoryId: input.categoryId,
      });
      if (input.specifications) await products.replaceSpecifications(tx, id, input.specifications);
      if (input.images) await products.replaceImages(tx, id, input.images);
      let newStock = input.stock ?? current.stock;
      if (input.variants) {
        await checkSkusFree(tx, id, input.variants);
        const { unknownIds } = await products.replaceVariants(tx, id, input.variants);
        if (unknownIds.length > 0) {
          const [first] = unknownIds;
          throw unprocessable(ErrorCode.VARIANT_NOT_FOUND, `body.variants.${first!.index}.id`, `is not a variant of product ${id}`);
        }
        if (input.variants.length > 0) newStock = await products.syncStockWithVariants(tx, id);
      }
      await recordStockUpdated(tx, id, current.stock, newStock, 'MANUAL');
      const after = (await products.findProduct(tx, id))!;
      await recordAudit(tx, { action: 'product.updated', resourceType: 'product', resourceId: id, before, after });
      return after;
    });
  }

  async deleteProduct(id: string): Promise<void> {
    await this.write(catalogTags, async (tx) => {
      const before = await products.findProduct(tx, id);
      if (!before || !(await products.deleteProduct(tx, id))) throw productNotFound(id);
      await recordProductDeleted(tx, before.id, before.name);
      await recordAudit(tx, { action: 'product.deleted', resourceType: 'product', resourceId: id, before, after: null });
    });
  }

  /**
   * An admin's stock adjustment (reason MANUAL). Atomic under concurrency: the product row is locked
   * first, and a change that would take any stock below zero is refused with 409, changing nothing.
   */
  async adjustStock(productId: string, adjustment: StockAdjustment): Promise<StockLevel> {
    return this.write(stockMoved([productId]), async (tx) => {
      const current = await products.lockProduct(tx, productId);
      if (!current) throw productNotFound(productId);
      let variantStock: number | null = null;
      if (adjustment.variantId !== undefined) {
        const result = await products.adjustVariantStock(tx, productId, adjustment.variantId, adjustment.delta);
        if (result === undefined) throw unprocessable(ErrorCode.VARIANT_NOT_FOUND, 'body.variantId', `is not a variant of product ${productId}`);
        if (result === null) throw insufficientStock(productId, adjustment.delta);
        variantStock = result;
      } else if (current.hasVariants) {
        throw unprocessable(ErrorCode.STOCK_MANAGED_BY_VARIANTS, 'body.variantId', 'is required: this product keeps its stock per variant');
      } else if (current.stock + adjustment.delta < 0) {
        throw insufficientStock(productId, adjustment.delta, current.stock);
      }
      const newStock = await products.addProductStock(tx, productId, adjustment.delta);
      await recordStockUpdated(tx, productId, current.stock, newStock, 'MANUAL');
      const level = { productId, variantId: adjustment.variantId ?? null, oldStock: current.stock, newStock, variantStock };
      await recordAudit(tx, {
        action: 'stock.adjusted',
        resourceType: 'product',
        resourceId: productId,
        before: { stock: current.stock },
        after: { stock: newStock, delta: adjustment.delta, variantId: level.variantId, variantStock },
      });
      return level;
    });
  }

  /** The product as the API shows it, or undefined (served from the product-detail cache). */
  async getProduct(id: string): Promise<Product | undefined> {
    const representation = await this.productRepresentation(id);
    return representation === undefined ? undefined : (JSON.parse(representation.identity.toString()) as Product);
  }

  /**
   * Reserves all `lines` of order `orderId` in one transaction, or none: products are locked in id
   * order (no deadlock between orders), every line is checked against stock, and only then is any
   * stock taken, with one STOCK_UPDATED (reason ORDER) per product. Idempotent by order id; refused
   * after a release. Errors name the line (`lines.N.productId`) and, for stock, the product.
   */
  async reserveStock(orderId: string, input: StockLine[]): Promise<StockReservation> {
    // UUIDs compare as text in the JSON of a reservation: one spelling, whatever the caller sent.
    const lines = input.map((l) => ({ ...l, productId: l.productId.toLowerCase(), variantId: l.variantId?.toLowerCase() ?? null }));
    const merged = reservations.mergeLines(lines);
    for (let attempt = 1; ; attempt++) {
      let outcome: reservations.ReserveOutcome;
      try {
        outcome = await reservations.reserveStock(this.db, orderId, merged);
      } catch (error) {
        // A concurrent reservation of the same order id won the primary key: the next try replays it.
        if (attempt === 1 && (error as { code?: string }).code === pgUniqueViolation) continue;
        throw error;
      }
      switch (outcome.status) {
        case 'replayed':
          return { orderId, lines: outcome.lines };
        case 'released':
          throw conflict(ErrorCode.RESERVATION_RELEASED, `Order ${orderId} was cancelled; its stock cannot be reserved again`);
        case 'refused':
          throw reservationRefused(outcome.problems, (n) => {
            const line = merged[n - 1]!;
            return `lines.${lines.findIndex((l) => l.productId === line.productId && l.variantId === line.variantId)}`;
          });
        case 'reserved':
          await this.afterWrite(stockMoved(merged.map((l) => l.productId)));
          return { orderId, lines: outcome.lines };
      }
    }
  }

  /**
   * Puts back what order `orderId` reserved (reason RETURN), once: a second call, or one for an
   * order that never reserved, changes nothing and leaves a tombstone so the id cannot reserve later.
   * A line whose product or variant was deleted meanwhile is not restocked.
   */
  async releaseStock(orderId: string): Promise<StockRelease> {
    const restocked = await this.db.transaction(async (tx) => {
      const reserved = await reservations.markReleased(tx, orderId);
      if (!reserved || reserved.length === 0) return undefined;
      // Units a return put back already are not put back again (the reservation's row lock, taken
      // by markReleased, keeps a return from being recorded meanwhile).
      const lines = reservations.subtractLines(reserved, await reservations.returnedLines(tx, orderId));
      await this.restock(tx, lines);
      return lines;
    });
    if (restocked) await this.afterWrite(stockMoved(restocked.map((l) => l.productId)));
    return { orderId, released: restocked !== undefined };
  }

  /**
   * Puts back the units of return `returnId` of order `orderId` (reason RETURN), once per return id.
   * Under the reservation's row lock, so it and a release of the order never both put the same unit
   * back: a return after the release restocks nothing (the release did), a release after the return
   * leaves out what it returned. Lines beyond what is left of the reservation are refused (422).
   */
  async returnStock(orderId: string, returnId: string, input: StockLine[]): Promise<StockReturn> {
    const lines = reservations.mergeLines(input.map((l) => ({ ...l, productId: l.productId.toLowerCase(), variantId: l.variantId?.toLowerCase() ?? null })));
    const restocked = await this.db.transaction(async (tx) => {
      const reservation = await reservations.lockReservation(tx, orderId);
      if (!reservation) throw notFound(ErrorCode.ORDER_NOT_FOUND, `Order ${orderId} reserved no stock; nothing of it can be returned`);
      const earlier = await reservations.findReturn(tx, returnId);
      if (earlier) {
        if (earlier.orderId !== orderId) throw conflict(ErrorCode.CONFLICT, `Return ${returnId} belongs to another order`);
        return { restocked: earlier.restocked, replayed: true };
      }
      const left = reservations.subtractLines(reservation.lines, await reservations.returnedLines(tx, orderId));
      const params = lines.flatMap((line, i) => {
        const have = left.find((l) => l.productId === line.productId && (l.variantId ?? null) === line.variantId);
        if (!have) return [{ name: `lines.${i}.productId`, reason: 'names no line the order reserved (with this variantId)' }];
        if (line.quantity > have.quantity) return [{ name: `lines.${i}.quantity`, reason: `is more than is left to return: ${have.quantity}` }];
        return [];
      });
      if (params.length > 0) throw unprocessableContent(ErrorCode.VALIDATION_FAILED, params.map((p) => `${p.name} ${p.reason}`).join('; '), params);
      const released = reservation.status === 'RELEASED';
      if (!released) await this.restock(tx, lines);
      await reservations.insertReturn(tx, { returnId, orderId, lines, restocked: !released });
      return { restocked: !released, replayed: false };
    });
    if (restocked.restocked && !restocked.replayed) await this.afterWrite(stockMoved(lines.map((l) => l.productId)));
    return { orderId, returnId, restocked: restocked.restocked };
  }

  /**
   * Adds `lines` back to their products' and variants' stock with one STOCK_UPDATED (reason RETURN)
   * per product. A line whose product or variant was deleted meanwhile is not restocked.
   */
  private async restock(tx: Queryable, lines: StockLine[]): Promise<void> {
    if (lines.length === 0) return;
    const locked = await reservations.lockProducts(tx, [...new Set(lines.map((l) => l.productId))]);
    const variants = await reservations.lockVariants(
      tx,
      lines.flatMap((l) => (l.variantId ? [l.variantId] : [])),
    );
    const productDeltas = new Map<string, number>();
    const variantDeltas = new Map<string, number>();
    for (const line of lines) {
      const product = locked.get(line.productId);
      if (!product) continue;
      if (line.variantId) {
        if (!variants.has(line.variantId)) continue;
        variantDeltas.set(line.variantId, (variantDeltas.get(line.variantId) ?? 0) + line.quantity);
      } else if (product.hasVariants) {
        continue; // sold before the product had variants: its total is now theirs to decide
      }
      productDeltas.set(product.id, (productDeltas.get(product.id) ?? 0) + line.quantity);
    }
    if (productDeltas.size === 0) return;
    const totals = await reservations.applyStockDeltas(tx, productDeltas, variantDeltas);
    await recordStockUpdates(
      tx,
      [...totals].map(([productId, newStock]) => ({ productId, oldStock: locked.get(productId)!.stock, newStock })),
      'RETURN',
    );
  }

  /** Make a committed change visible: drop the cached reads showing it (`tags`) and relay its events. */
  private async afterWrite(tags: string[]): Promise<void> {
    await this.cache.invalidate(tags);
    this.relay.notify();
  }

  listCategories(): Promise<Category[]> {
    return categories.listCategories(this.reads);
  }

  async category(idOrSlug: string): Promise<Category> {
    const category = await categories.findCategory(this.reads, idOrSlug, isUuid(idOrSlug));
    if (!category) throw notFound(ErrorCode.CATEGORY_NOT_FOUND, `No category ${idOrSlug}`);
    return category;
  }

  async createCategory(sent: CreateCategory): Promise<Category> {
    const input = trimmedName(sent);
    if (input.slug !== undefined) checkSlugIsNoId(input.slug);
    const slug = input.slug ?? categories.slugify(input.name);
    return this.write(
      catalogTags,
      async (tx) => {
        const id = await categories.insertCategory(tx, { name: input.name, slug, description: input.description ?? null });
        const created = (await categories.findCategory(tx, id, true))!;
        await recordAudit(tx, { action: 'category.created', resourceType: 'category', resourceId: id, before: null, after: created });
        return created;
      },
      (constraint) => (constraint === 'categories_slug_key' ? categorySlugTaken(slug, input.slug !== undefined) : undefined),
    );
  }

  async updateCategory(id: string, sent: UpdateCategory): Promise<Category> {
    const input = trimmedName(sent);
    if (input.slug !== undefined) checkSlugIsNoId(input.slug);
    return this.write(
      catalogTags,
      async (tx) => {
        const before = await categories.findCategory(tx, id, true);
        if (!(await categories.updateCategory(tx, id, input))) throw notFound(ErrorCode.CATEGORY_NOT_FOUND, `No category ${id}`);
        const after = (await categories.findCategory(tx, id, true))!;
        await recordAudit(tx, { action: 'category.updated', resourceType: 'category', resourceId: id, before, after });
        return after;
      },
      // An update changes the slug only when it sends one.
      (constraint) => (constraint === 'categories_slug_key' && input.slug !== undefined ? categorySlugTaken(input.slug, true) : undefined),
    );
  }

  /**
   * Deletes an empty category. One with products is refused (409 CATEGORY_NOT_EMPTY) rather than
   * emptied into the default category behind the admin's back; the default category is refused
   * always (409 CATEGORY_DEFAULT): products created without a category need it.
   */
  async deleteCategory(id: string): Promise<void> {
    if (id.toLowerCase() === defaultCategoryId) {
      throw conflict(
        ErrorCode.CATEGORY_DEFAULT,
        `Category ${id} is the default category, where products without a category go; it can be renamed, not deleted`,
        [{ name: 'path.id', reason: 'is the default category' }],
      );
    }
    await this.write(catalogTags, async (tx) => {
      const before = await categories.findCategory(tx, id, true);
      const result = await categories.deleteCategory(tx, id);
      if (result === 'in-use') throw conflict(ErrorCode.CATEGORY_NOT_EMPTY, `Category ${id} still has products; move or delete them first`);
      if (!result) throw notFound(ErrorCode.CATEGORY_NOT_FOUND, `No category ${id}`);
      await recordAudit(tx, { action: 'category.deleted', resourceType: 'category', resourceId: id, before, after: null });
    });
  }

  /**
   * Commit, then make the change visible (`afterWrite`; `tags` the cached reads it changes, by default
   * all). `conflictOf` names the field a unique violation came from, where the write knows it.
   */
  private async write<T>(tags: string[], work: (tx: Queryable) => Promise<T>, conflictOf?: (constraint: string) => AppError | undefined): Promise<T> {
    const result = await this.db.transaction(work).catch((error: unknown) => {
      throw uniqueViolation(error, conflictOf) ?? error;
    });
    await this.afterWrite(tags);
    return result;
  }
}

class ProductAbsent extends Error {}

/** A page loaded with other products than the ids its entry would be tagged with: answered, not kept. */
class PageMoved extends Error {
  constructor(readonly json: string) {
    super('the page changed while it was read');
  }
}

/**
 * The cached reads a move of these products' stock alone changes: those that show them (their
 * details, the pages they are on) and those that filter on stock. Every other entry stays cached:
 * in a shop taking orders, a move of any stock dropping every entry left the catalog cache nearly
 * useless (docs/performance.md).
 */
function stockMoved(productIds: string[]): string[] {
  return [catalogStockTag, ...new Set(productIds.map(productCacheTag))];
}

/** The 422 (lines the catalog cannot sell) or 409 (not enough stock, naming each product) of a refused reservation. */
function reservationRefused(problems: reservations.ReserveProblem[], fieldOf: (n: number) => string): AppError {
  const unsellable = problems.filter((p) => p.problem !== 'short');
  if (unsellable.length > 0) {
    const params = unsellable.map((p) => {
      const field = fieldOf(p.n);
      if (p.problem === 'unknown-product') return { name: `${field}.productId`, reason: `names no product (${p.productId})` };
      if (p.problem === 'foreign-variant') return { name: `${field}.variantId`, reason: `is not a variant of ${p.productName} (${p.productId})` };
      return { name: `${field}.variantId`, reason: `is required: ${p.productName} is sold by variant` };
    });
    const code = unsellable.some((p) => p.problem === 'unknown-product')
      ? ErrorCode.PRODUCT_NOT_FOUND
      : unsellable.some((p) => p.problem === 'variant-required')
        ? ErrorCode.STOCK_MANAGED_BY_VARIANTS
        : ErrorCode.VARIANT_NOT_FOUND;
    return unprocessableContent(code, params.map((p) => `${p.name} ${p.reason}`).join('; '), params);
  }
  const named = (p: reservations.ReserveProblem) => (p.variantName ? `${p.productName} (${p.variantName})` : p.productName!);
  const detail = problems.map((p) => `${named(p)} (${p.productId}): ${p.quantity} requested, ${p.available} in stock`).join('; ');
  return conflict(
    ErrorCode.INSUFFICIENT_STOCK,
    `Not enough stock: ${detail}`,
    problems.map((p) => ({ name: `${fieldOf(p.n)}.quantity`, reason: `${p.quantity} requested, ${p.available} of ${named(p)} in stock` })),
  );
}

const productNotFound = (id: string) => notFound(ErrorCode.PRODUCT_NOT_FOUND, `No product ${id}`);

function insufficientStock(productId: string, delta: number, available?: number): AppError {
  const have = available === undefined ? '' : ` (${available} in stock)`;
  const detail = `Cannot remove ${-delta} units of product ${productId}${have}: stock cannot go below 0`;
  return conflict(ErrorCode.INSUFFICIENT_STOCK, detail, [{ name: 'body.delta', reason: `would take stock below 0${have}` }]);
}

async function requireCategory(tx: Queryable, categoryId: string): Promise<void> {
  if (!(await products.categoryExists(tx, categoryId))) {
    throw unprocessable(ErrorCode.CATEGORY_NOT_FOUND, 'body.categoryId', `names no existing category (${categoryId})`);
  }
}

/**
 * A category is read by id when the key has a uuid's shape, by slug otherwise (`/api/categories/:idOrSlug`,
 * the product list's `category`): a slug of that shape could never be read, or would read another category.
 */
function checkSlugIsNoId(slug: string): void {
  if (isUuid(slug)) {
    const reason = "must not have a uuid's shape: it would be read as a category id";
    throw badRequest(ErrorCode.VALIDATION_FAILED, `body.slug ${reason}`, [{ name: 'body.slug', reason }]);
  }
}

function checkStockSource(variants: VariantInput[], stock: number | undefined, field: string): void {
  if (variants.length > 0 && stock !== undefined) {
    throw unprocessable(ErrorCode.STOCK_MANAGED_BY_VARIANTS, field, "must be omitted when variants are given: the product's stock is the sum of theirs");
  }
  if (variants.length === 0 && stock === undefined) throw unprocessable(ErrorCode.VALIDATION_FAILED, field, 'is required when there are no variants');
}

/** Names the first variant whose SKU another product's variant already has (409). */
async function checkSkusFree(tx: Queryable, productId: string | null, variants: VariantInput[]): Promise<void> {
  const skus = variants.flatMap((v) => (v.sku ? [v.sku] : []));
  if (skus.length === 0) return;
  const taken = await products.skusTakenElsewhere(tx, productId, skus);
  const index = variants.findIndex((v) => v.sku && taken.includes(v.sku));
  if (index >= 0) {
    throw conflict(ErrorCode.SKU_TAKEN, `SKU ${variants[index]!.sku} is already used by another product`, [
      { name: `body.variants.${index}.sku`, reason: 'is already used by another product' },
    ]);
  }
}

function checkDistinctSkus(variants: VariantInput[]): void {
  const seen = new Map<string, number>();
  for (const [index, variant] of variants.entries()) {
    if (!variant.sku) continue;
    if (seen.has(variant.sku)) throw unprocessable(ErrorCode.SKU_TAKEN, `body.variants.${index}.sku`, `repeats the SKU of variant ${seen.get(variant.sku)}`);
    seen.set(variant.sku, index);
  }
}

/** A product's input as it is stored: its name and its variants' names trimmed. */
function trimmedNames<T extends { name?: string; variants?: VariantInput[] }>(input: T): T {
  const trimmed = trimmedName(input);
  return trimmed.variants ? { ...trimmed, variants: trimmed.variants.map(trimmedName) } : trimmed;
}

/** One variant listed twice would be written twice, the last one winning: the other's stock and name lost. */
function checkDistinctVariantIds(variants: VariantInput[]): void {
  const seen = new Map<string, number>();
  for (const [index, variant] of variants.entries()) {
    if (variant.id === undefined) continue;
    const id = variant.id.toLowerCase();
    if (seen.has(id)) throw unprocessable(ErrorCode.VALIDATION_FAILED, `body.variants.${index}.id`, `repeats the id of variant ${seen.get(id)}`);
    seen.set(id, index);
  }
}

/** 409 CATEGORY_SLUG_TAKEN naming the field the slug came from: `body.slug`, or `body.name` it was derived from. */
function categorySlugTaken(slug: string, given: boolean): AppError {
  return conflict(ErrorCode.CATEGORY_SLUG_TAKEN, `The slug ${slug} is already used by another category`, [
    given
      ? { name: 'body.slug', reason: 'is already used by another category' }
      : { name: 'body.name', reason: `gives the slug ${slug}, which another category has; send a slug of its own` },
  ]);
}

/** A unique violation the client caused (a race the pre-checks could not see), as a 409. */
function uniqueViolation(error: unknown, conflictOf?: (constraint: string) => AppError | undefined): AppError | undefined {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code !== pgUniqueViolation) return undefined;
  const named = constraint === undefined ? undefined : conflictOf?.(constraint);
  if (named) return named;
  if (constraint === 'categories_slug_key') return conflict(ErrorCode.CATEGORY_SLUG_TAKEN, 'The slug is already used by another category');
  if (constraint === 'product_variants_sku_key') return conflict(ErrorCode.SKU_TAKEN, 'A variant SKU is already used by another variant');
  return undefined;
}
