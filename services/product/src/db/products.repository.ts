import { randomUUID } from 'node:crypto';
import type { Product, ProductQuery, VariantInput } from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import { isUuid, orderBy, toSearchQuery } from '../domain/product-query.ts';

/** The product as the API's JSON text (its stored document), or undefined when there is none. */
export async function findProductJson(db: Queryable, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ body: string }>('SELECT body FROM product_documents WHERE product_id = $1', [id]);
  return rows[0]?.body;
}

export async function findProduct(db: Queryable, id: string): Promise<Product | undefined> {
  const json = await findProductJson(db, id);
  return json === undefined ? undefined : (JSON.parse(json) as Product);
}

/**
 * The WHERE conditions (on `products p`) of the list's filters: category (id or slug), price range,
 * stock, ids and text. `param` binds a value and returns its placeholder.
 */
export function productFilter(query: Omit<ProductQuery, 'limit' | 'offset' | 'sort'>, param: (value: unknown) => string): string[] {
  const where: string[] = [];
  if (query.category !== undefined) {
    where.push(
      isUuid(query.category) ? `p.category_id = ${param(query.category)}` : `p.category_id = (SELECT id FROM categories WHERE slug = ${param(query.category)})`,
    );
  }
  if (query.minPrice !== undefined) where.push(`p.price >= ${param(query.minPrice.toFixed(2))}::numeric`);
  if (query.maxPrice !== undefined) where.push(`p.price <= ${param(query.maxPrice.toFixed(2))}::numeric`);
  if (query.inStock !== undefined) where.push(query.inStock ? 'p.stock > 0' : 'p.stock = 0');
  if (query.ids !== undefined) where.push(`p.id = ANY(${param(query.ids)}::uuid[])`);
  if (query.q !== undefined) {
    // Text with no searchable word matches nothing rather than everything.
    const search = toSearchQuery(query.q);
    where.push(
      search === undefined ? 'false' : `to_tsvector('simple', p.name || ' ' || coalesce(p.description, '')) @@ to_tsquery('simple', ${param(search)})`,
    );
  }
  return where;
}

/** The page's query: its filter, order and window, with their parameters. */
function pageQuery(query: ProductQuery): { filter: string; order: string; limit: string; offset: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = productFilter(query, param);
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const order = orderBy[query.sort].replace(/(\w+) (ASC|DESC)/g, 'p.$1 $2');
  return { filter, order, limit: param(query.limit), offset: param(query.offset), params };
}

/** The ids of the products on one page of `query`, in its order. */
export async function listProductIds(db: Queryable, query: ProductQuery): Promise<string[]> {
  const { filter, order, limit, offset, params } = pageQuery(query);
  const { rows } = await db.query<{ id: string }>(`SELECT p.id FROM products p ${filter} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, params);
  return rows.map((row) => row.id);
}

/**
 * One page of products matching `query`, with how many match in all, as the API's JSON text, and
 * the ids of its products in their order.
 */
export async function listProductsJson(db: Queryable, query: ProductQuery): Promise<{ json: string; ids: string[] }> {
  const { filter, order, limit, offset, params } = pageQuery(query);
  // The page is the stored documents joined with commas: no JSON is built per request. Rows come
  // back unordered and are put in order here; sorting wide rows costs PostgreSQL more than the query.
  const { rows } = await db.query<{ id: string; body: string; total: number; n: string }>(
    `WITH page AS (
       SELECT p.id, count(*) OVER ()::int AS total, row_number() OVER (ORDER BY ${order}) AS n
         FROM products p ${filter} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset})
     SELECT page.id, d.body, page.total, page.n FROM page JOIN product_documents d ON d.product_id = page.id`,
    params,
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && query.offset > 0) {
    // Past the last page the window count has no row to ride on.
    const count = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM products p ${filter}`, params.slice(0, -2));
    total = count.rows[0]!.total;
  }
  rows.sort((a, b) => Number(a.n) - Number(b.n));
  return {
    json: `{"items":[${rows.map((row) => row.body).join(',')}],"total":${total},"limit":${query.limit},"offset":${query.offset}}`,
    ids: rows.map((row) => row.id),
  };
}

export interface ProductFields {
  name: string;
  description: string | null;
  price: string;
  stock: number;
  weightGrams: number;
  categoryId: string;
}

/** Inserts a product created now, or `ageSeconds` before now. */
export async function insertProduct(tx: Queryable, fields: ProductFields, ageSeconds = 0): Promise<string> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO products (id, name, description, price, stock, weight_grams, category_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CURRENT_TIMESTAMP - make_interval(secs => $8), CURRENT_TIMESTAMP - make_interval(secs => $8))`,
    [id, fields.name, fields.description, fields.price, fields.stock, fields.weightGrams, fields.categoryId, ageSeconds],
  );
  return id;
}

/** Locks the product row for the rest of the transaction; every stock change takes this lock first. */
export async function lockProduct(tx: Queryable, id: string): Promise<{ stock: number; hasVariants: boolean } | undefined> {
  const { rows } = await tx.query<{ stock: number; has_variants: boolean }>(
    `SELECT stock, EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id) AS has_variants
       FROM products p WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ? { stock: rows[0].stock, hasVariants: rows[0].has_variants } : undefined;
}

export async function updateProductFields(tx: Queryable, id: string, fields: Partial<ProductFields>): Promise<void> {
  const columns: Record<keyof ProductFields, string> = {
    name: 'name',
    description: 'description',
    price: 'price',
    stock: 'stock',
    weightGrams: 'weight_grams',
    categoryId: 'category_id',
  };
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [key, column] of Object.entries(columns) as Array<[keyof ProductFields, string]>) {
    if (fields[key] === undefined) continue;
    params.push(fields[key]);
    sets.push(`${column} = $${params.length}`);
  }
  // Touch the row even when only child rows changed, so updated_at says the product changed.
  await tx.query(`UPDATE products SET ${sets.length > 0 ? sets.join(', ') : 'name = name'} WHERE id = $1`, params);
}

export async function replaceSpecifications(tx: Queryable, productId: string, specifications: Record<string, string>): Promise<void> {
  await tx.query('DELETE FROM product_specifications WHERE product_id = $1', [productId]);
  const entries = Object.entries(specifications);
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO product_specifications (product_id, name, value, position)
     SELECT $1, s.name, s.value, s.position - 1 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS s(name, value, position)`,
    [productId, entries.map(([name]) => name), entries.map(([, value]) => value)],
  );
}

export async function replaceImages(tx: Queryable, productId: string, images: string[]): Promise<void> {
  await tx.query('DELETE FROM product_images WHERE product_id = $1', [productId]);
  if (images.length === 0) return;
  await tx.query(
    `INSERT INTO product_images (product_id, position, url)
     SELECT $1, i.position - 1, i.url FROM unnest($2::text[]) WITH ORDINALITY AS i(url, position)`,
    [productId, images],
  );
}

/**
 * Makes the product's variants exactly `variants`: those with an id are updated (the id must be
 * one of this product's), the rest inserted, and any not listed deleted. Returns the ids listed
 * that do not belong to the product, so the caller can refuse the request.
 */
export async function replaceVariants(
  tx: Queryable,
  productId: string,
  variants: VariantInput[],
): Promise<{ unknownIds: Array<{ index: number; id: string }> }> {
  const { rows } = await tx.query<{ id: string }>('SELECT id FROM product_variants WHERE product_id = $1', [productId]);
  const existing = new Set(rows.map((row) => row.id));
  // A uuid is the same in any letter case (PostgreSQL's uuid type agrees); the rows' ids are lower case.
  const unknownIds = variants.flatMap((v, index) => (v.id !== undefined && !existing.has(v.id.toLowerCase()) ? [{ index, id: v.id }] : []));
  if (unknownIds.length > 0) return { unknownIds };
  const kept = variants.flatMap((v) => (v.id ? [v.id] : []));
  await tx.query('DELETE FROM product_variants WHERE product_id = $1 AND NOT (id = ANY($2::uuid[]))', [productId, kept]);
  for (const [position, variant] of variants.entries()) {
    // A variant listed without a weight weighs what its product does, as one without a price sells at its price.
    const values = [
      variant.name,
      variant.sku ?? null,
      variant.price == null ? null : variant.price.toFixed(2),
      variant.stock,
      variant.weightGrams ?? null,
      variant.options ?? {},
      position,
    ];
    if (variant.id) {
      await tx.query('UPDATE product_variants SET name = $2, sku = $3, price = $4, stock = $5, weight_grams = $6, options = $7, position = $8 WHERE id = $1', [
        variant.id,
        ...values,
      ]);
    } else {
      await tx.query(
        'INSERT INTO product_variants (id, product_id, name, sku, price, stock, weight_grams, options, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [randomUUID(), productId, ...values],
      );
    }
  }
  return { unknownIds: [] };
}

/** Sets the product's stock to the sum of its variants'; returns the new total. */
export async function syncStockWithVariants(tx: Queryable, productId: string): Promise<number> {
  const { rows } = await tx.query<{ stock: number }>(
    `UPDATE products SET stock = (SELECT COALESCE(sum(stock), 0) FROM product_variants WHERE product_id = $1)
      WHERE id = $1 RETURNING stock`,
    [productId],
  );
  return rows[0]!.stock;
}

export async function deleteProduct(tx: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM products WHERE id = $1', [id]);
  return rowCount > 0;
}

/**
 * Adds `delta` to a variant's stock unless that would take it below zero. Returns the new stock,
 * `undefined` when the variant is not this product's, or `null` when there is not enough.
 */
export async function adjustVariantStock(tx: Queryable, productId: string, variantId: string, delta: number): Promise<number | null | undefined> {
  const { rows } = await tx.query<{ stock: number; applied: boolean }>(
    `WITH target AS (SELECT id, stock FROM product_variants WHERE id = $1 AND product_id = $2 FOR UPDATE),
          changed AS (UPDATE product_variants v SET stock = v.stock + $3 FROM target
                       WHERE v.id = target.id AND target.stock + $3 >= 0 RETURNING v.stock)
     SELECT COALESCE((SELECT stock FROM changed), target.stock) AS stock, EXISTS (SELECT 1 FROM changed) AS applied FROM target`,
    [variantId, productId, delta],
  );
  if (!rows[0]) return undefined;
  return rows[0].applied ? rows[0].stock : null;
}

/** Adds `delta` to the product's own stock column; the caller holds the row lock and checked the floor. */
export async function addProductStock(tx: Queryable, productId: string, delta: number): Promise<number> {
  const { rows } = await tx.query<{ stock: number }>('UPDATE products SET stock = stock + $2 WHERE id = $1 RETURNING stock', [productId, delta]);
  return rows[0]!.stock;
}

/** Which of `skus` variants of other products already use. */
export async function skusTakenElsewhere(tx: Queryable, productId: string | null, skus: string[]): Promise<string[]> {
  const { rows } = await tx.query<{ sku: string }>('SELECT sku FROM product_variants WHERE sku = ANY($1::text[]) AND product_id IS DISTINCT FROM $2::uuid', [
    skus,
    productId,
  ]);
  return rows.map((row) => row.sku);
}

export async function categoryExists(db: Queryable, id: string): Promise<boolean> {
  // KEY SHARE holds the category until this transaction ends: a delete racing the product waits and then sees it in use.
  const { rows } = await db.query('SELECT 1 FROM categories WHERE id = $1 FOR KEY SHARE', [id]);
  return rows.length > 0;
}

export async function countProducts(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM products');
  return rows[0]!.n;
}
