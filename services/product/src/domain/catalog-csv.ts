import { type CatalogCsvColumn, catalogCsvColumns, hasVisibleCharacter, invisibleNameReason } from '@dema/contracts';

/** A variant as read from one row, values checked and in the database's types. */
export interface VariantDraft {
  row: number;
  name: string;
  sku: string | null;
  price: string | null;
  stock: number;
  weightGrams: number | null;
  options: Record<string, string>;
}

/** A product as read from its rows (one per variant, or one), values checked. */
export interface ProductDraft {
  handle: string;
  /** The row its product columns were read from: its first. */
  row: number;
  name: string;
  description: string | null;
  /** A category's slug or name as written; empty for the default category. */
  category: string;
  price: string;
  /** Its own stock, or the sum of its variants'. */
  stock: number;
  weightGrams: number;
  images: string[];
  specifications: Record<string, string>;
  variants: VariantDraft[];
}

/** Why row `row` cannot be imported; `column` is the one at fault. */
export interface RowProblem {
  row: number;
  column: string;
  reason: string;
}

const productColumns = ['name', 'description', 'category', 'price', 'stock', 'weight_grams', 'images', 'specifications'] as const;
const variantColumns = ['variant_name', 'variant_sku', 'variant_price', 'variant_stock', 'variant_weight_grams', 'variant_options'] as const;
const requiredColumns: CatalogCsvColumn[] = ['handle', 'name', 'price'];

// DECIMAL(10,2): the API's Price, written as text so no binary fraction ever touches it.
const decimal = /^\d{1,8}(\.\d{1,2})?$/;
const imageUrl = /^(\/|https?:\/\/)\S+$/;
const maxInt = 2_147_483_647;

/**
 * Reads a catalog CSV row by row into products (rows with one `handle` are one product, one row per
 * variant), collecting every problem of every row instead of stopping at the first: the admin fixes
 * the whole file in one go. Checks only what the file alone tells; what needs the catalog (a SKU or
 * handle already taken) is the importer's.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1, the first product row 2.
 */
export class CatalogCsvReader {
  readonly problems: RowProblem[] = [];
  private readonly products = new Map<string, ProductDraft & { raw: Record<string, string>; byVariant: boolean }>();
  private readonly skus = new Map<string, number>();
  private columns: string[] = [];
  rows = 0;

  /** Takes the header; returns the problems that make the rows unreadable (unknown or missing columns). */
  header(names: string[]): RowProblem[] {
    this.columns = names.map((name) => name.trim().toLowerCase());
    const known = new Set<string>(catalogCsvColumns);
    const problems: RowProblem[] = [];
    for (const name of this.columns) {
      if (!known.has(name)) problems.push({ row: 1, column: name, reason: `is not a column of a catalog file (${catalogCsvColumns.join(', ')})` });
    }
    for (const name of requiredColumns) {
      if (!this.columns.includes(name)) problems.push({ row: 1, column: name, reason: 'is a required column' });
    }
    const seen = new Set<string>();
    for (const name of this.columns) {
      if (seen.has(name)) problems.push({ row: 1, column: name, reason: 'appears twice' });
      seen.add(name);
    }
    return problems;
  }

  /** Reads the next data row (its fields in header order). */
  add(fields: string[]): void {
    const row = ++this.rows + 1;
    const values: Record<string, string> = {};
    for (const [i, name] of this.columns.entries()) values[name] = fields[i] ?? '';
    const problem = (column: string, reason: string) => {
      this.problems.push({ row, column, reason });
    };
    // A value past the header's last column has nowhere to go: most often a comma left unquoted
    // (`1,000`), which shifts the rest of the row. Empty ones are the trailing commas spreadsheets write.
    const extra = fields.slice(this.columns.length).findIndex((field) => field.trim() !== '');
    if (extra !== -1) {
      const position = this.columns.length + extra + 1;
      problem(`column ${position}`, `has a value, but the header names ${this.columns.length} columns: quote a value that holds a comma`);
    }
    // The database refuses NUL, and U+FFFD is what bytes that are not UTF-8 were read as: both would
    // pass a dry run and then fail the import, or import text the file did not hold.
    for (const [name, value] of Object.entries(values)) {
      if (value.includes('\u0000')) problem(name, 'must not contain the NUL character (\\u0000)');
      else if (value.includes('\uFFFD')) problem(name, 'has bytes that are not UTF-8 (read as \uFFFD): save the file as CSV UTF-8');
    }
    const handle = values.handle!.trim();
    if (handle === '') {
      problem('handle', 'is required: rows with the same handle are one product');
      return;
    }
    if (handle.length > 255) {
      problem('handle', 'must be at most 255 characters');
      return;
    }

    let product = this.products.get(handle);
    if (product === undefined) {
      product = { ...this.readProduct(row, handle, values, problem), raw: values, byVariant: false };
      this.products.set(handle, product);
    } else {
      // Later rows of a product repeat its columns or leave them empty; anything else is ambiguous.
      for (const column of productColumns) {
        const value = values[column] ?? '';
        if (value !== '' && value !== (product.raw[column] ?? ''))
          problem(column, `differs from row ${product.row}, the first of product ${handle}; leave it empty or repeat it`);
      }
    }

    const hasVariant = variantColumns.some((column) => (values[column] ?? '') !== '');
    if (product.row === row) {
      product.byVariant = hasVariant;
      if (!hasVariant) return;
      if ((values.stock ?? '') !== '') problem('stock', "must be empty on a product with variants: its stock is the sum of its variants'");
    } else if (!hasVariant) {
      problem('variant_name', `is required: product ${handle} has several rows, one per variant`);
      return;
    } else if (!product.byVariant) {
      problem('variant_name', `cannot add a variant: row ${product.row}, the first of product ${handle}, has none`);
      return;
    }
    const variant = this.readVariant(row, values, problem);
    if (variant === undefined) return;
    if (product.variants.length >= 100) {
      problem('variant_name', `is product ${handle}'s 101st variant; a product has at most 100`);
      return;
    }
    product.variants.push(variant);
    product.stock += variant.stock;
  }

  /** The products read so far, in the order their first rows came. */
  drafts(): ProductDraft[] {
    return [...this.products.values()].map(({ raw: _raw, byVariant: _byVariant, ...draft }) => draft);
  }

  private readProduct(row: number, handle: string, values: Record<string, string>, problem: (column: string, reason: string) => void): ProductDraft {
    // Trimmed, and held to the API's rule for names: a file may not name what the API refuses.
    const name = (values.name ?? '').trim();
    if (name === '') problem('name', 'is required on the first row of a product');
    else if (!hasVisibleCharacter(name)) problem('name', invisibleNameReason);
    else if (name.length > 255) problem('name', 'must be at most 255 characters');
    const description = values.description ?? '';
    if (description.length > 10_000) problem('description', 'must be at most 10000 characters');
    const category = (values.category ?? '').trim();
    // A category the file names and the catalog lacks is created with this name.
    if (category !== '' && !hasVisibleCharacter(category)) problem('category', invisibleNameReason);
    else if (category.length > 255) problem('category', 'must be at most 255 characters');
    const price = readDecimal(values.price ?? '', true, (reason) => problem('price', reason)) ?? '0.00';
    const hasVariant = variantColumns.some((column) => (values[column] ?? '') !== '');
    const stock = hasVariant ? 0 : (readInt(values.stock ?? '', maxInt, true, (reason) => problem('stock', reason)) ?? 0);
    const weightGrams = readInt(values.weight_grams ?? '', 1_000_000, false, (reason) => problem('weight_grams', reason)) ?? 0;
    const images = (values.images ?? '').split(/\s+/).filter((url) => url !== '');
    if (images.length > 20) problem('images', `lists ${images.length} URLs; a product has at most 20`);
    for (const url of images) {
      if (url.length > 2048 || !imageUrl.test(url))
        problem('images', `has ${JSON.stringify(url.slice(0, 80))}, which is not an http(s) URL or a path starting with /`);
    }
    const specifications = readStringMap(values.specifications ?? '', { entries: 100, key: 100, value: 1000 }, (reason) => problem('specifications', reason));
    return {
      handle,
      row,
      name,
      description: description === '' ? null : description,
      category,
      price,
      stock,
      weightGrams,
      images,
      specifications,
      variants: [],
    };
  }

  private readVariant(row: number, values: Record<string, string>, problem: (column: string, reason: string) => void): VariantDraft | undefined {
    const before = this.problems.length;
    const name = (values.variant_name ?? '').trim();
    if (name === '') problem('variant_name', 'is required on a variant row');
    else if (!hasVisibleCharacter(name)) problem('variant_name', invisibleNameReason);
    else if (name.length > 255) problem('variant_name', 'must be at most 255 characters');
    const sku = (values.variant_sku ?? '').trim();
    if (sku.length > 64) problem('variant_sku', 'must be at most 64 characters');
    else if (sku !== '') {
      const earlier = this.skus.get(sku);
      if (earlier !== undefined) problem('variant_sku', `repeats the SKU of row ${earlier}`);
      else this.skus.set(sku, row);
    }
    const price = readDecimal(values.variant_price ?? '', false, (reason) => problem('variant_price', reason)) ?? null;
    const stock = readInt(values.variant_stock ?? '', maxInt, true, (reason) => problem('variant_stock', reason)) ?? 0;
    const weightGrams = readInt(values.variant_weight_grams ?? '', 1_000_000, false, (reason) => problem('variant_weight_grams', reason)) ?? null;
    const options = readStringMap(values.variant_options ?? '', { entries: 20, key: 100, value: 255 }, (reason) => problem('variant_options', reason));
    if (this.problems.length > before) return undefined;
    return { row, name, sku: sku === '' ? null : sku, price, stock, weightGrams, options };
  }
}

function readDecimal(text: string, required: boolean, fail: (reason: string) => void): string | undefined {
  const value = text.trim();
  if (value === '') {
    if (required) fail('is required');
    return undefined;
  }
  if (!decimal.test(value)) {
    fail(`must be a decimal number from 0 to 99999999.99 with at most 2 decimals and a dot (got ${JSON.stringify(value.slice(0, 40))})`);
    return undefined;
  }
  return value;
}

function readInt(text: string, max: number, required: boolean, fail: (reason: string) => void): number | undefined {
  const value = text.trim();
  if (value === '') {
    if (required) fail('is required');
    return undefined;
  }
  if (!/^\d{1,10}$/.test(value) || Number(value) > max) {
    fail(`must be a whole number from 0 to ${max} (got ${JSON.stringify(value.slice(0, 40))})`);
    return undefined;
  }
  return Number(value);
}

/** A JSON object of strings (specifications, variant options): exact, and any character may appear in it. */
function readStringMap(text: string, limits: { entries: number; key: number; value: number }, fail: (reason: string) => void): Record<string, string> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('must be a JSON object of strings, like {"Colour":"Red"}');
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('must be a JSON object of strings, like {"Colour":"Red"}');
    return {};
  }
  const entries = Object.entries(parsed);
  if (entries.length > limits.entries) fail(`has ${entries.length} entries; at most ${limits.entries}`);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') fail(`has ${JSON.stringify(key.slice(0, 40))}, whose value is not a string`);
    else if (key.includes('\u0000') || value.includes('\u0000')) fail('must not contain the NUL character (\\u0000)');
    else if (key.length === 0 || key.length > limits.key) fail(`has a name of ${key.length} characters; 1 to ${limits.key}`);
    else if (value.length > limits.value) fail(`has ${JSON.stringify(key.slice(0, 40))}, whose value is over ${limits.value} characters`);
  }
  return parsed as Record<string, string>;
}
