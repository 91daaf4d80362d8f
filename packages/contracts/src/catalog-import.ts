import Type, { type Static } from 'typebox';
import { formatBytes } from './format.ts';
import { InvalidParam } from './problem.ts';

/**
 * Catalog import and export as CSV (issue 21). One row per variant, or one row for a product without
 * variants; rows with the same `handle` are one product. The columns, in the order export writes them.
 */
export const catalogCsvColumns = [
  'handle',
  'name',
  'description',
  'category',
  'price',
  'stock',
  'weight_grams',
  'images',
  'specifications',
  'variant_name',
  'variant_sku',
  'variant_price',
  'variant_stock',
  'variant_weight_grams',
  'variant_options',
] as const;
export type CatalogCsvColumn = (typeof catalogCsvColumns)[number];

/** What an import did, or with `dryRun` would do. */
export const CatalogImportReport = Type.Object(
  {
    dryRun: Type.Boolean(),
    rows: Type.Integer({ description: 'Data rows read (the header not counted)' }),
    products: Type.Integer(),
    variants: Type.Integer(),
    categoriesCreated: Type.Array(Type.String(), { description: 'Names of the categories the file named that did not exist' }),
  },
  { $id: 'CatalogImportReport' },
);
export type CatalogImportReport = Static<typeof CatalogImportReport>;

export const catalogImportStatuses = ['RUNNING', 'SUCCEEDED', 'FAILED'] as const;

/** An import of a file too big to answer at once: the admin polls it until it is SUCCEEDED or FAILED. */
export const CatalogImportJob = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Union(catalogImportStatuses.map((s) => Type.Literal(s))),
    dryRun: Type.Boolean(),
    totalRows: Type.Integer(),
    doneRows: Type.Integer({ description: 'Rows validated, then rows written; totalRows when it ends' }),
    report: Type.Union([Type.Ref('CatalogImportReport'), Type.Null()], { description: 'Set when SUCCEEDED' }),
    problem: Type.Union([Type.Object({ code: Type.String(), detail: Type.String(), invalidParams: Type.Array(InvalidParam) }), Type.Null()], {
      description: 'Set when FAILED: what the synchronous answer would have been (rejected rows as `row N: column`)',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'CatalogImportJob' },
);
export type CatalogImportJob = Omit<Static<typeof CatalogImportJob>, 'report'> & { report: CatalogImportReport | null };

export const CatalogImportQuery = Type.Object(
  { dryRun: Type.Boolean({ default: false, description: 'Validate and report without writing anything' }) },
  { additionalProperties: false },
);
export type CatalogImportQuery = Static<typeof CatalogImportQuery>;

/** Where a catalog file is POSTed (text/csv). */
export const catalogImportPath = '/api/products/import';

/**
 * Whether a request (its method and path, without the query) uploads a catalog file: the one route
 * whose body may pass DEMA_BODY_LIMIT, up to DEMA_IMPORT_BODY_LIMIT, at every hop (the web app's
 * proxy, the gateway, the Product service), each passing it on as it arrives.
 */
export const isCatalogImport = (method: string, pathname: string): boolean => method === 'POST' && pathname === catalogImportPath;

/** Why a catalog file over `limit` bytes is refused (413), in the words every hop uses. */
export const catalogTooLarge = (limit: number): string => `A catalog file may be at most ${formatBytes(limit)} (${limit} bytes); split it`;
