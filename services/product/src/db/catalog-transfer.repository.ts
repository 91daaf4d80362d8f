import { randomUUID } from 'node:crypto';
import type { CatalogImportJob, CatalogImportReport, InvalidParam, ProductQuery } from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import type { ProductDraft } from '../domain/catalog-csv.ts';
import { productFilter } from './products.repository.ts';

/** Categories by lower-cased slug and by lower-cased name, for resolving a file's `category` column. */
export async function categoryIndex(db: Queryable): Promise<{ bySlug: Map<string, string>; byName: Map<string, string> }> {
  const { rows } = await db.query<{ id: string; slug: string; name: string }>('SELECT id, slug, name FROM categories');
  return {
    bySlug: new Map(rows.map((row) => [row.slug.toLowerCase(), row.id])),
    byName: new Map(rows.map((row) => [row.name.toLowerCase(), row.id])),
  };
}

/** Which of `ids` are products already. */
export async function existingProductIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>('SELECT id FROM products WHERE id = ANY($1::uuid[])', [ids]);
  return new Set(rows.map((row) => row.id));
}

/** Which of `skus` variants already use. */
export async function takenSkus(db: Queryable, skus: string[]): Promise<Set<string>> {
  if (skus.length === 0) return new Set();
  const { rows } = await db.query<{ sku: string }>('SELECT sku FROM product_variants WHERE sku = ANY($1::text[])', [skus]);
  return new Set(rows.map((row) => row.sku));
}

export async function insertCategories(tx: Queryable, categories: Array<{ name: string; slug: string }>): Promise<string[]> {
  const ids = categories.map(() => randomUUID());
  await tx.query('INSERT INTO categories (id, name, slug) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])', [
    ids,
    categories.map((c) => c.name),
    categories.map((c) => c.slug),
  ]);
  return ids;
}

/**
 * Inserts `products` (with their variants, images and specifications) in four statements, whatever
 * their number: the documents are then rebuilt once per statement, not once per row. Returns their ids.
 */
export async function insertProductBatch(tx: Queryable, products: Array<ProductDraft & { categoryId: string }>): Promise<string[]> {
  const ids = products.map(() => randomUUID());
  await tx.query(
    `INSERT INTO products (id, name, description, price, stock, weight_grams, category_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[], $5::int[], $6::int[], $7::uuid[])`,
    [
      ids,
      products.map((p) => p.name),
      products.map((p) => p.description),
      products.map((p) => p.price),
      products.map((p) => p.stock),
      products.map((p) => p.weightGrams),
      products.map((p) => p.categoryId),
    ],
  );
  const variants = products.flatMap((p, i) => p.variants.map((v, position) => ({ ...v, productId: ids[i]!, position })));
  if (variants.length > 0) {
    await tx.query(
      `INSERT INTO product_variants (id, product_id, name, sku, price, stock, weight_grams, options, position)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::int[], $7::int[], $8::jsonb[], $9::int[])`,
      [
        variants.map(() => randomUUID()),
        variants.map((v) => v.productId),
        variants.map((v) => v.name),
        variants.map((v) => v.sku),
        variants.map((v) => v.price),
        variants.map((v) => v.stock),
        variants.map((v) => v.weightGrams),
        variants.map((v) => JSON.stringify(v.options)),
        variants.map((v) => v.position),
      ],
    );
  }
  const images = products.flatMap((p, i) => p.images.map((url, position) => ({ productId: ids[i]!, url, position })));
  if (images.length > 0) {
    await tx.query('INSERT INTO product_images (product_id, position, url) SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[])', [
      images.map((image) => image.productId),
      images.map((image) => image.position),
      images.map((image) => image.url),
    ]);
  }
  const specifications = products.flatMap((p, i) =>
    Object.entries(p.specifications).map(([name, value], position) => ({ productId: ids[i]!, name, value, position })),
  );
  if (specifications.length > 0) {
    await tx.query(
      'INSERT INTO product_specifications (product_id, name, value, position) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[])',
      [specifications.map((s) => s.productId), specifications.map((s) => s.name), specifications.map((s) => s.value), specifications.map((s) => s.position)],
    );
  }
  return ids;
}

/**
 * Up to `limit` stored product documents matching `query`'s filters, after id `after`, in id order:
 * an export reads the catalog page by page this way, each page one index range whatever came before.
 */
export async function productDocumentsAfter(
  db: Queryable,
  query: Omit<ProductQuery, 'limit' | 'offset' | 'sort'>,
  after: string | null,
  limit: number,
): Promise<Array<{ id: string; body: string }>> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = productFilter(query, param);
  if (after !== null) where.push(`p.id > ${param(after)}::uuid`);
  const { rows } = await db.query<{ id: string; body: string }>(
    `SELECT p.id, d.body FROM products p JOIN product_documents d ON d.product_id = p.id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id LIMIT ${param(limit)}`,
    params,
  );
  return rows;
}

interface JobRow {
  id: string;
  status: CatalogImportJob['status'];
  dry_run: boolean;
  total_rows: number;
  done_rows: number;
  report: CatalogImportReport | null;
  problem: { code: string; detail: string; invalidParams: InvalidParam[] } | null;
  created_at: string;
  finished_at: string | null;
}

const jobOf = (row: JobRow): CatalogImportJob => ({
  id: row.id,
  status: row.status,
  dryRun: row.dry_run,
  totalRows: row.total_rows,
  doneRows: row.done_rows,
  report: row.report,
  problem: row.problem,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;
const jobColumns = `id, status, dry_run, total_rows, done_rows, report, problem, ${iso('created_at')}, ${iso('finished_at')}`;

export async function insertImportJob(db: Queryable, id: string, dryRun: boolean, totalRows: number): Promise<CatalogImportJob> {
  const { rows } = await db.query<JobRow>(
    `INSERT INTO catalog_import_jobs (id, status, dry_run, total_rows) VALUES ($1, 'RUNNING', $2, $3) RETURNING ${jobColumns}`,
    [id, dryRun, totalRows],
  );
  return jobOf(rows[0]!);
}

export async function updateImportProgress(db: Queryable, id: string, doneRows: number): Promise<void> {
  await db.query("UPDATE catalog_import_jobs SET done_rows = $2 WHERE id = $1 AND status = 'RUNNING'", [id, doneRows]);
}

export async function finishImportJob(
  db: Queryable,
  id: string,
  outcome: { report: CatalogImportReport } | { problem: { code: string; detail: string; invalidParams: InvalidParam[] } },
): Promise<CatalogImportJob> {
  const report = 'report' in outcome ? outcome.report : null;
  const problem = 'problem' in outcome ? outcome.problem : null;
  const { rows } = await db.query<JobRow>(
    `UPDATE catalog_import_jobs SET status = CASE WHEN $2 THEN 'SUCCEEDED' ELSE 'FAILED' END, report = $3, problem = $4, finished_at = now(),
            done_rows = CASE WHEN $2 THEN total_rows ELSE done_rows END
      WHERE id = $1 RETURNING ${jobColumns}`,
    [id, report !== null, report, problem],
  );
  return jobOf(rows[0]!);
}

export async function findImportJob(db: Queryable, id: string): Promise<CatalogImportJob | undefined> {
  const { rows } = await db.query<JobRow>(`SELECT ${jobColumns} FROM catalog_import_jobs WHERE id = $1`, [id]);
  return rows[0] ? jobOf(rows[0]) : undefined;
}
