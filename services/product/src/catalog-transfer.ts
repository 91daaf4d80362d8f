import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import {
  type CatalogImportJob,
  type CatalogImportReport,
  catalogCsvColumns,
  catalogTooLarge,
  cacheConfigs,
  defaultCategoryId,
  ErrorCode,
  type InvalidParam,
  type Product,
  type ProductQuery,
} from '@dema/contracts';
import {
  AppError,
  badRequest,
  type Cache,
  contentTooLarge,
  type Db,
  drainRequest,
  type Logger,
  type OutboxRelay,
  type Queryable,
  recordAudit,
  unprocessableContent,
} from '@dema/platform';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { slugify } from './db/categories.repository.ts';
import * as transfers from './db/catalog-transfer.repository.ts';
import { CatalogCsvReader, type ProductDraft, type RowProblem } from './domain/catalog-csv.ts';
import { recordStockUpdates } from './events/stock-updated.ts';

/** Files of up to this many rows are imported while the request waits; bigger ones become a job. */
export const syncImportRows = 1000;
/** Products per batch of inserts: four statements each, and a progress step. */
const batchProducts = 1000;
/** Rejected rows listed in one answer; a file wrong throughout would otherwise answer in megabytes. */
const maxListedProblems = 10_000;
const exportPage = 500;
const pgUniqueViolation = '23505';

export type ImportOutcome = { report: CatalogImportReport } | { job: CatalogImportJob };
export type ExportQuery = Omit<ProductQuery, 'limit' | 'offset' | 'sort'>;

/**
 * Catalog import and export as CSV. An import is all or nothing: every row is checked, and only a
 * file with no rejected row is written, in one transaction; the catalog's caches are invalidated
 * and its STOCK_UPDATED events relayed after the commit, as for any catalog write.
 */
export class CatalogTransfer {
  /** Jobs this instance is running, with their live progress. */
  private readonly running = new Map<string, CatalogImportJob>();

  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly relay: OutboxRelay,
    private readonly log: Logger,
    /** The largest file taken, in bytes (DEMA_IMPORT_BODY_LIMIT; a 100,000-row file with long descriptions is about 30 MB). */
    private readonly maxImportBytes: number,
  ) {}

  /**
   * Reads the CSV `body` and imports it (or with `dryRun`, only checks it). A file of up to
   * `syncImportRows` rows is answered with its report, or a 422 listing every rejected row; a bigger
   * one starts a job, answered at once, that `importJob` follows.
   */
  async importCsv(body: Readable, dryRun: boolean): Promise<ImportOutcome> {
    const reader = await readCatalogCsv(body, this.maxImportBytes);
    if (reader.rows <= syncImportRows) return { report: await this.apply(null, reader, dryRun, () => Promise.resolve()) };
    const job = await transfers.insertImportJob(this.db, randomUUID(), dryRun, reader.rows);
    this.running.set(job.id, job);
    void this.runJob(job, reader, dryRun);
    return { job };
  }

  /** The job as the instance running it sees it, else as last recorded; undefined when there is none. */
  async importJob(id: string): Promise<CatalogImportJob | undefined> {
    return this.running.get(id) ?? transfers.findImportJob(this.db, id);
  }

  /**
   * The products matching `query` as CSV, in the columns `importCsv` reads, streamed: read 500 at a
   * time (by id, so a page is one index range however far in) as the response is written, so the
   * memory it takes does not grow with the catalog.
   */
  exportCsv(query: ExportQuery): Readable {
    const db = this.db;
    async function* rows(): AsyncGenerator<string[]> {
      let after: string | null = null;
      for (;;) {
        const page = await transfers.productDocumentsAfter(db, query, after, exportPage);
        for (const row of page) yield* csvRowsOf(JSON.parse(row.body) as Product);
        if (page.length < exportPage) return;
        after = page.at(-1)!.id;
      }
    }
    const csv = stringify({ header: true, columns: [...catalogCsvColumns] });
    pipeline(Readable.from(rows()), csv, (error) => {
      if (error) this.log.error({ err: error }, 'catalog export failed midway');
    });
    return csv;
  }

  private async runJob(job: CatalogImportJob, reader: CatalogCsvReader, dryRun: boolean): Promise<void> {
    // Only PostgreSQL can record progress beside the import's transaction; the embedded database runs
    // one transaction at a time, and it is one process, where the live copy is the one polled.
    const recordProgress = this.db.kind === 'postgres';
    const progress = async (doneRows: number) => {
      job.doneRows = doneRows;
      if (recordProgress) await transfers.updateImportProgress(this.db, job.id, doneRows);
    };
    try {
      let outcome: Parameters<typeof transfers.finishImportJob>[2];
      try {
        outcome = { report: await this.apply(job.id, reader, dryRun, progress) };
      } catch (error) {
        if (!(error instanceof AppError)) this.log.error({ err: error, jobId: job.id }, 'catalog import failed');
        outcome = {
          problem:
            error instanceof AppError
              ? { code: error.code, detail: error.message, invalidParams: error.invalidParams ?? [] }
              : { code: ErrorCode.INTERNAL, detail: 'The import failed unexpectedly; nothing was imported', invalidParams: [] },
        };
      }
      await transfers.finishImportJob(this.db, job.id, outcome);
    } catch (error) {
      this.log.error({ err: error, jobId: job.id }, 'catalog import: cannot record how the job ended');
    } finally {
      this.running.delete(job.id);
    }
  }

  private async apply(
    jobId: string | null,
    reader: CatalogCsvReader,
    dryRun: boolean,
    progress: (doneRows: number) => Promise<void>,
  ): Promise<CatalogImportReport> {
    const drafts = reader.drafts();
    const importInOne = async (tx: Queryable): Promise<CatalogImportReport> => {
      const problems = [...reader.problems];
      const existing = await transfers.existingProductIds(
        tx,
        drafts.flatMap((d) => (uuid.test(d.handle) ? [d.handle.toLowerCase()] : [])),
      );
      for (const draft of drafts) {
        if (existing.has(draft.handle.toLowerCase())) {
          problems.push({
            row: draft.row,
            column: 'handle',
            reason: 'is the id of a product in the catalog; an import only adds products (give it another handle)',
          });
        }
      }
      const taken = await transfers.takenSkus(
        tx,
        drafts.flatMap((d) => d.variants.flatMap((v) => (v.sku ? [v.sku] : []))),
      );
      for (const variant of drafts.flatMap((d) => d.variants)) {
        if (variant.sku && taken.has(variant.sku))
          problems.push({ row: variant.row, column: 'variant_sku', reason: 'is already used by a variant in the catalog' });
      }
      const { categoryIds, pending, created } = await resolveCategories(tx, drafts, problems);
      if (problems.length > 0) throw rowsRejected(problems);

      const variants = drafts.reduce((n, d) => n + d.variants.length, 0);
      const result = { dryRun, rows: reader.rows, products: drafts.length, variants, categoriesCreated: created.map((c) => c.name) };
      if (dryRun) return result;

      const newIds = await transfers.insertCategories(tx, created);
      const idBySlug = new Map(created.map((category, i) => [category.slug, newIds[i]!]));
      for (const [key, slug] of pending) categoryIds.set(key, idBySlug.get(slug)!);
      let doneRows = 0;
      for (let start = 0; start < drafts.length; start += batchProducts) {
        const batch = drafts.slice(start, start + batchProducts).map((d) => ({ ...d, categoryId: categoryIds.get(categoryKey(d))! }));
        const ids = await transfers.insertProductBatch(tx, batch);
        await recordStockUpdates(
          tx,
          batch.map((d, i) => ({ productId: ids[i]!, oldStock: 0, newStock: d.stock })),
          'MANUAL',
        );
        doneRows += batch.reduce((n, d) => n + Math.max(1, d.variants.length), 0);
        await progress(doneRows);
      }
      // One entry for the whole import, not one per product: the job's report says what it added.
      await recordAudit(tx, { action: 'catalog.imported', resourceType: 'catalog', resourceId: 'catalog', before: null, after: { ...result, jobId } });
      return result;
    };
    // A SKU or a new category's slug that another import (or a product) committed after this one's
    // checks breaks a unique constraint (PostgreSQL runs imports side by side). Checked again, now
    // that it shows, the SKU is a rejected row (422) and the category is used.
    const report = await this.db.transaction(importInOne).catch((error: unknown) => {
      if ((error as { code?: string }).code !== pgUniqueViolation) throw error;
      return this.db.transaction(importInOne);
    });
    if (!dryRun) {
      await this.cache.invalidate([...cacheConfigs['product-list'].tags]);
      this.relay.notify();
    }
    return report;
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads a CSV body (RFC 4180, UTF-8, an optional BOM, comma-separated, header first) into a reader
 * holding every row's problems. A file that is not CSV, or over `maxImportBytes`, is refused outright.
 */
export async function readCatalogCsv(body: Readable, maxImportBytes: number): Promise<CatalogCsvReader> {
  const reader = new CatalogCsvReader();
  const records = body.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true }));
  let bytes = 0;
  const countBytes = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= maxImportBytes) return;
    body.off('data', countBytes);
    body.unpipe(records);
    records.destroy(contentTooLarge(catalogTooLarge(maxImportBytes)));
  };
  body.on('data', countBytes);
  body.on('error', (error) => records.destroy(error));
  let header = true;
  try {
    for await (const record of records as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        const problems = reader.header(record);
        if (problems.length > 0) throw rowsRejected(problems);
        continue;
      }
      reader.add(record);
    }
  } catch (error) {
    // The rest of a refused body is read before the answer, or the client, still sending, gets a reset instead of it.
    if (error instanceof AppError && error.status === 413) await drainRequest(body as IncomingMessage);
    if (error instanceof AppError) throw error;
    const { code, lines } = error as { code?: string; lines?: number };
    if (code?.startsWith('CSV_')) throw badRequest(ErrorCode.MALFORMED_BODY, `The body is not valid CSV near line ${lines}: ${(error as Error).message}`);
    throw error;
  }
  if (header) throw unprocessableContent(ErrorCode.IMPORT_ROWS_REJECTED, 'The file is empty: it needs a header row and a row per product or variant');
  return reader;
}

/**
 * Category ids by `categoryKey`: existing ones by slug, else by name (both in any case). The rest are
 * to be created (`created`), and `pending` gives the slug each of their keys will have.
 */
async function resolveCategories(
  tx: Parameters<typeof transfers.categoryIndex>[0],
  drafts: ProductDraft[],
  problems: RowProblem[],
): Promise<{ categoryIds: Map<string, string>; pending: Map<string, string>; created: Array<{ name: string; slug: string }> }> {
  const { bySlug, byName } = await transfers.categoryIndex(tx);
  const categoryIds = new Map<string, string>([['', defaultCategoryId]]);
  const created = new Map<string, { name: string; slug: string }>();
  for (const draft of drafts) {
    const key = categoryKey(draft);
    if (categoryIds.has(key) || created.has(key)) continue;
    const found = bySlug.get(key) ?? byName.get(key);
    if (found !== undefined) {
      categoryIds.set(key, found);
      continue;
    }
    const slug = slugify(draft.category);
    if (bySlug.has(slug)) {
      problems.push({
        row: draft.row,
        column: 'category',
        reason: `names no category, and the slug it would get (${slug}) is another category's: write that slug to use it`,
      });
      continue;
    }
    created.set(key, { name: draft.category, slug });
  }
  // Two spellings of one new category ("Garden Tools", "garden-tools") would get one slug: one is made.
  const bySlugNew = new Map<string, { name: string; slug: string }>();
  for (const [key, category] of created) {
    const first = bySlugNew.get(category.slug);
    if (first) created.set(key, first);
    else bySlugNew.set(category.slug, category);
  }
  const pending = new Map([...created].map(([key, category]) => [key, category.slug]));
  return { categoryIds, pending, created: [...bySlugNew.values()] };
}

const categoryKey = (draft: ProductDraft) => draft.category.toLowerCase();

function rowsRejected(problems: RowProblem[]): AppError {
  const sorted = problems.sort((a, b) => a.row - b.row);
  const rows = new Set(sorted.map((p) => p.row)).size;
  const listed: InvalidParam[] = sorted.slice(0, maxListedProblems).map((p) => ({ name: `row ${p.row}: ${p.column}`, reason: p.reason }));
  const more = sorted.length > listed.length ? `; the first ${listed.length} are listed` : '';
  const first = listed
    .slice(0, 3)
    .map((p) => `${p.name} ${p.reason}`)
    .join('; ');
  return unprocessableContent(
    ErrorCode.IMPORT_ROWS_REJECTED,
    `${rows} row${rows === 1 ? '' : 's'} rejected (${sorted.length} problem${sorted.length === 1 ? '' : 's'}${more}); nothing was imported. ${first}`,
    listed,
  );
}

/** A product as CSV rows: one, or one per variant with the product's columns on the first only. */
function* csvRowsOf(product: Product): Generator<string[]> {
  const specifications = Object.keys(product.specifications).length > 0 ? JSON.stringify(product.specifications) : '';
  const productColumns = [
    product.id,
    product.name,
    product.description ?? '',
    product.category.slug,
    product.price.toFixed(2),
    product.variants.length > 0 ? '' : String(product.stock),
    String(product.weightGrams),
    product.images.join(' '),
    specifications,
  ];
  if (product.variants.length === 0) {
    yield [...productColumns, '', '', '', '', '', ''];
    return;
  }
  for (const [i, v] of product.variants.entries()) {
    yield [
      ...(i === 0 ? productColumns : [product.id, '', '', '', '', '', '', '', '']),
      v.name,
      v.sku ?? '',
      v.price === null ? '' : v.price.toFixed(2),
      String(v.stock),
      v.weightGrams === null ? '' : String(v.weightGrams),
      Object.keys(v.options).length > 0 ? JSON.stringify(v.options) : '',
    ];
  }
}
