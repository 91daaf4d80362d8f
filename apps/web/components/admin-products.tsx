'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { type Category, type CreateProduct, defaultCategoryId, type Product, type UpdateProduct, type VariantInput } from '@dema/contracts';
import { useStoreCurrency } from './store-currency.tsx';
import { describeStock, formatPrice } from '@dema/contracts';
import { describeFailure, type DemaApiError } from '@dema/client';
import { api } from '../lib/session.ts';
import { useApi } from '../lib/use-api.ts';
import { EmptyState, ErrorState, Loading } from './states.tsx';
import { TablePager } from './pager.tsx';
import { NoticeAlert } from './admin-resource.tsx';

const pageSize = 25;

/** The catalog as a table for staff: search, pages, stock at a glance, links to edit. */
export function AdminProductList() {
  const currency = useStoreCurrency();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const result = useApi(
    (client) => client.GET('/api/products', { params: { query: { limit: pageSize, offset, sort: 'name', ...(search ? { q: search } : {}) } } }),
    [offset, search],
  );
  return (
    <>
      <div className="page-head">
        <h1>Products</h1>
        <Link className="btn btn-primary" href="/admin/products/new">
          New product
        </Link>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is the landmark every browser knows; <search> is too new */}
      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(q.trim());
          setOffset(0);
        }}
      >
        <div className="field" style={{ flex: 1, minWidth: 200 }}>
          <label htmlFor="product-search">Search products</label>
          <input id="product-search" type="search" value={q} onChange={(event) => setQ(event.target.value)} maxLength={200} />
        </div>
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      {result.status === 'loading' ? <Loading label="Loading products…" /> : null}
      {result.status === 'error' ? (
        <ErrorState
          message={describeFailure(result.error)}
          action={
            <button type="button" className="btn" onClick={result.reload}>
              Try again
            </button>
          }
        />
      ) : null}
      {result.status === 'ready' && result.data.items.length === 0 ? (
        <EmptyState
          title={search ? 'No products match' : 'No products yet'}
          action={
            <Link className="btn btn-primary" href="/admin/products/new">
              Create a product
            </Link>
          }
        />
      ) : null}
      {result.status === 'ready' && result.data.items.length > 0 ? (
        <div className="panel" style={{ padding: 0 }}>
          <div className="table-wrap">
            <table className="data" data-testid="admin-products">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Category</th>
                  <th scope="col" className="num">
                    Price
                  </th>
                  <th scope="col" className="num">
                    Stock
                  </th>
                  <th scope="col" className="num">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.data.items.map((product) => {
                  const stock = describeStock(product.stock);
                  return (
                    <tr key={product.id}>
                      <td>
                        <Link href={`/admin/products/${product.id}`}>{product.name}</Link>
                        {product.variants.length > 0 ? <span className="muted small"> · {product.variants.length} variants</span> : null}
                      </td>
                      <td className="small">{product.category.name}</td>
                      <td className="num">{formatPrice(product.price, currency)}</td>
                      <td className="num">
                        <span className={`pill pill-${stock.tone}`}>{product.stock}</span>
                      </td>
                      <td className="num">
                        <div className="row-actions">
                          <Link className="btn btn-small" href={`/admin/products/${product.id}`}>
                            Edit<span className="visually-hidden"> {product.name}</span>
                          </Link>
                          <Link className="btn btn-small" href={`/products/${product.id}`}>
                            View<span className="visually-hidden"> {product.name}</span>
                          </Link>
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <TablePager offset={result.data.offset} shown={result.data.items.length} total={result.data.total} pageSize={pageSize} onOffset={setOffset} />
        </div>
      ) : null}
    </>
  );
}

interface SpecRow {
  key: string;
  value: string;
}
interface VariantRow {
  id?: string;
  name: string;
  sku: string;
  price: string;
  stock: string;
  /** Grams; empty: the product's weight. */
  weight: string;
}

/** The most a product or variant may weigh, as the API allows: a tonne, in grams. */
const maxWeightGrams = 1_000_000;

function toForm(product: Product | null) {
  return {
    name: product?.name ?? '',
    description: product?.description ?? '',
    price: product ? product.price.toFixed(2) : '',
    stock: product ? String(product.stock) : '0',
    weight: product ? String(product.weightGrams) : '0',
    // A new product starts in the default category, where the API would put it anyway.
    categoryId: product?.category.id ?? defaultCategoryId,
    images: (product?.images ?? []).join('\n'),
    specs: Object.entries(product?.specifications ?? {}).map(([key, value]) => ({ key, value })) as SpecRow[],
    variants: (product?.variants ?? []).map((v) => ({
      id: v.id,
      name: v.name,
      sku: v.sku ?? '',
      price: v.price === null ? '' : v.price.toFixed(2),
      stock: String(v.stock),
      weight: v.weightGrams === null ? '' : String(v.weightGrams),
    })) as VariantRow[],
  };
}

type FormState = ReturnType<typeof toForm>;

/** The form's values as the API's create body. */
function toBody(form: FormState): CreateProduct {
  const specifications: Record<string, string> = {};
  for (const row of form.specs) if (row.key.trim()) specifications[row.key.trim()] = row.value.trim();
  const variants: VariantInput[] = form.variants
    .filter((row) => row.name.trim())
    .map((row) => {
      const variant: VariantInput = {
        name: row.name.trim(),
        stock: Number(row.stock || '0'),
        sku: row.sku.trim() || null,
        price: row.price.trim() ? Number(row.price) : null,
        weightGrams: row.weight.trim() ? Number(row.weight) : null,
      };
      if (row.id) variant.id = row.id;
      return variant;
    });
  const body: CreateProduct = {
    name: form.name.trim(),
    description: form.description.trim() || null,
    price: Number(form.price),
    weightGrams: Number(form.weight.trim() || '0'),
    categoryId: form.categoryId,
    specifications,
    images: form.images
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
    variants,
  };
  // With variants the product's stock is theirs; the API refuses both at once.
  if (variants.length === 0) body.stock = Number(form.stock || '0');
  return body;
}

/**
 * Only the fields the admin changed. Stock is never sent on an update: orders move it meanwhile,
 * and writing back the number loaded minutes ago would undo them (stock changes go through
 * "Adjust stock"). Variants carry their stock, so they are sent only when they were edited.
 */
function toUpdate(form: FormState, original: Product): UpdateProduct {
  const next = toBody(form);
  const before = toBody(toForm(original));
  const update: UpdateProduct = {};
  if (next.name !== before.name) update.name = next.name;
  if (next.description !== before.description) update.description = next.description ?? null;
  if (next.price !== before.price) update.price = next.price;
  if (next.weightGrams !== before.weightGrams) update.weightGrams = next.weightGrams;
  if (next.categoryId !== before.categoryId) update.categoryId = next.categoryId;
  if (JSON.stringify(next.specifications) !== JSON.stringify(before.specifications)) update.specifications = next.specifications ?? {};
  if (JSON.stringify(next.images) !== JSON.stringify(before.images)) update.images = next.images ?? [];
  if (JSON.stringify(next.variants) !== JSON.stringify(before.variants)) update.variants = next.variants ?? [];
  return update;
}

const weightHint = `Enter whole grams, up to ${maxWeightGrams.toLocaleString('en-US')}.`;

/** Whole grams within what the API takes, or nothing: 0 for the product, "the product's weight" for a variant. */
function isWeight(value: string): boolean {
  const text = value.trim();
  return text === '' || (/^\d{1,7}$/.test(text) && Number(text) <= maxWeightGrams);
}

/** A variant row's inputs, each with the API field its errors are named by (`body.variants.N.<field>`). */
const variantColumns = [
  { key: 'name', field: 'name', placeholder: 'Name (e.g. Large)' },
  { key: 'sku', field: 'sku', placeholder: 'SKU' },
  { key: 'price', field: 'price', placeholder: 'Price' },
  { key: 'stock', field: 'stock', placeholder: 'Stock' },
  { key: 'weight', field: 'weightGrams', placeholder: 'Weight (g)' },
] as const;

function StockAdjuster({ product, onAdjusted }: { product: Product; onAdjusted: () => void }) {
  const [delta, setDelta] = useState('');
  const [variantId, setVariantId] = useState(product.variants[0]?.id ?? '');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const change = Math.trunc(Number(delta));
    if (!change) {
      setMessage({ ok: false, text: 'Enter a number of units to add (positive) or remove (negative).' });
      return;
    }
    setBusy(true);
    try {
      const level = await api.POST('/api/products/{id}/stock-adjustments', {
        params: { path: { id: product.id } },
        body: product.variants.length > 0 ? { delta: change, variantId } : { delta: change },
      });
      setMessage({
        ok: true,
        text: `Stock is now ${level.variantStock ?? level.newStock}${level.variantStock !== null ? ` for this variant (${level.newStock} in total)` : ''}.`,
      });
      setDelta('');
      onAdjusted();
    } catch (error) {
      setMessage({ ok: false, text: describeFailure(error) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="adjust-heading">
      <h2 id="adjust-heading">Adjust stock</h2>
      <p className="muted small">Receiving goods or correcting a count: the change is recorded as a manual stock movement.</p>
      <div className="toolbar">
        {product.variants.length > 0 ? (
          <div className="field">
            <label htmlFor="adjust-variant">Variant</label>
            <select id="adjust-variant" value={variantId} onChange={(event) => setVariantId(event.target.value)}>
              {product.variants.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name} ({v.stock})
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="adjust-delta">Units (+/−)</label>
          <input id="adjust-delta" type="number" step={1} value={delta} onChange={(event) => setDelta(event.target.value)} style={{ width: 120 }} />
        </div>
        <button type="submit" className="btn" disabled={busy}>
          Apply
        </button>
      </div>
      <NoticeAlert notice={message} />
    </form>
  );
}

function ProductForm({ product: loaded, categories }: { product: Product | null; categories: Category[] }) {
  const router = useRouter();
  // What the API last said: the base changes are measured against.
  const [product, setProduct] = useState<Product | null>(loaded);
  const creating = product === null;
  const [form, setForm] = useState<FormState>(() => toForm(product));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const fieldProps = (name: string) => ({
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `${name}-error` : undefined,
  });
  const fieldError = (name: string) =>
    errors[name] ? (
      <div className="field-error" id={`${name}-error`}>
        {errors[name]}
      </div>
    ) : null;

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!form.name.trim()) local.name = 'Enter a name.';
    if (!/^\d{1,8}(\.\d{1,2})?$/.test(form.price.trim())) local.price = 'Enter a price like 19.99.';
    if (!isWeight(form.weight)) local.weightGrams = weightHint;
    for (const [index, row] of form.variants.entries()) if (!isWeight(row.weight)) local[`variants.${index}.weightGrams`] = weightHint;
    setErrors(local);
    if (Object.keys(local).length > 0) {
      setNotice({ ok: false, text: 'Please correct the highlighted fields.' });
      return;
    }
    setBusy(true);
    setNotice(null);
    try {
      if (!creating && Object.keys(toUpdate(form, product)).length === 0) {
        setNotice({ ok: true, text: 'Nothing to save: no changes.' });
        return;
      }
      const saved = creating
        ? await api.POST('/api/products', { body: toBody(form) })
        : await api.PUT('/api/products/{id}', { params: { path: { id: product.id } }, body: toUpdate(form, product) });
      if (creating) {
        router.replace(`/admin/products/${saved.id}?created=1`);
        return;
      }
      setProduct(saved);
      setForm(toForm(saved));
      setNotice({ ok: true, text: 'Saved. The storefront shows the change now.' });
    } catch (error) {
      const failure = error as DemaApiError;
      setErrors(failure.fieldErrors());
      setNotice({ ok: false, text: describeFailure(failure) });
    } finally {
      setBusy(false);
    }
  }

  async function remove(): Promise<void> {
    if (!product || !window.confirm(`Delete “${product.name}”? Shoppers will no longer see it.`)) return;
    setBusy(true);
    try {
      await api.DELETE('/api/products/{id}', { params: { path: { id: product.id } } });
      router.replace('/admin/products');
    } catch (error) {
      setNotice({ ok: false, text: describeFailure(error) });
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} noValidate aria-labelledby="product-form-heading">
      <div aria-live="assertive">
        {notice ? (
          <div className={notice.ok ? 'alert alert-success' : 'alert alert-error'} role={notice.ok ? 'status' : 'alert'}>
            {notice.text}
          </div>
        ) : null}
      </div>
      <section className="panel">
        <h2 id="product-form-heading">Details</h2>
        <div className="form-grid">
          <div className="field full">
            <label htmlFor="name">Name</label>
            <input id="name" type="text" value={form.name} maxLength={255} onChange={(e) => set('name', e.target.value)} {...fieldProps('name')} />
            {fieldError('name')}
          </div>
          <div className="field">
            <label htmlFor="price">Price (USD)</label>
            <input id="price" type="text" inputMode="decimal" value={form.price} onChange={(e) => set('price', e.target.value)} {...fieldProps('price')} />
            {fieldError('price')}
          </div>
          <div className="field">
            <label htmlFor="categoryId">Category</label>
            <select id="categoryId" value={form.categoryId} onChange={(e) => set('categoryId', e.target.value)} {...fieldProps('categoryId')}>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            {fieldError('categoryId')}
          </div>
          <div className="field">
            <label htmlFor="weightGrams">Weight (g)</label>
            <input
              id="weightGrams"
              type="text"
              inputMode="numeric"
              value={form.weight}
              onChange={(e) => set('weight', e.target.value)}
              {...fieldProps('weightGrams')}
              aria-describedby={errors.weightGrams ? 'weightGrams-error' : 'weightGrams-hint'}
            />
            <div className="field-hint" id="weightGrams-hint">
              For shipping rates by weight; variants without their own weigh this.
            </div>
            {fieldError('weightGrams')}
          </div>
          {form.variants.length === 0 ? (
            <div className="field">
              <label htmlFor="stock">Stock</label>
              <input
                id="stock"
                type="number"
                min={0}
                value={form.stock}
                onChange={(e) => set('stock', e.target.value)}
                {...fieldProps('stock')}
                disabled={!creating}
                aria-describedby="stock-hint"
              />
              <div className="field-hint" id="stock-hint">
                {creating ? 'Units on hand.' : 'Change stock with “Adjust stock” below, so every change is recorded.'}
              </div>
              {fieldError('stock')}
            </div>
          ) : null}
          <div className="field full">
            <label htmlFor="description">Description</label>
            <textarea
              id="description"
              value={form.description}
              maxLength={10000}
              onChange={(e) => set('description', e.target.value)}
              {...fieldProps('description')}
            />
            {fieldError('description')}
          </div>
          <div className="field full">
            <label htmlFor="images">Image URLs</label>
            <textarea
              id="images"
              value={form.images}
              onChange={(e) => set('images', e.target.value)}
              aria-describedby="images-hint"
              style={{ minHeight: 64 }}
            />
            <div className="field-hint" id="images-hint">
              One per line: a path on this store (/media/…) or an https:// address. The first is the cover.
            </div>
            {fieldError('images')}
          </div>
        </div>
      </section>
      <section className="panel" aria-labelledby="specs-heading">
        <div className="panel-title">
          <h2 id="specs-heading">Specifications</h2>
          <button type="button" className="btn btn-small" onClick={() => set('specs', [...form.specs, { key: '', value: '' }])}>
            Add specification
          </button>
        </div>
        {form.specs.length === 0 ? <p className="muted small">None yet.</p> : null}
        {form.specs.map((row, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the inputs are controlled, so a row is its position; rows have no id of their own
          <div className="kv-row" key={index}>
            <div>
              <label className="visually-hidden" htmlFor={`spec-key-${index}`}>
                Specification {index + 1} name
              </label>
              <input
                id={`spec-key-${index}`}
                type="text"
                placeholder="Name (e.g. Weight)"
                value={row.key}
                maxLength={100}
                onChange={(e) =>
                  set(
                    'specs',
                    form.specs.map((r, i) => (i === index ? { ...r, key: e.target.value } : r)),
                  )
                }
              />
            </div>
            <div>
              <label className="visually-hidden" htmlFor={`spec-value-${index}`}>
                Specification {index + 1} value
              </label>
              <input
                id={`spec-value-${index}`}
                type="text"
                placeholder="Value (e.g. 220 g)"
                value={row.value}
                maxLength={1000}
                onChange={(e) =>
                  set(
                    'specs',
                    form.specs.map((r, i) => (i === index ? { ...r, value: e.target.value } : r)),
                  )
                }
              />
            </div>
            <button
              type="button"
              className="btn btn-small btn-danger"
              onClick={() =>
                set(
                  'specs',
                  form.specs.filter((_, i) => i !== index),
                )
              }
            >
              Remove<span className="visually-hidden"> specification {index + 1}</span>
            </button>
          </div>
        ))}
      </section>
      <section className="panel" aria-labelledby="variants-heading">
        <div className="panel-title">
          <h2 id="variants-heading">Variants</h2>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => set('variants', [...form.variants, { name: '', sku: '', price: '', stock: '0', weight: '' }])}
          >
            Add variant
          </button>
        </div>
        {form.variants.length === 0 ? (
          <p className="muted small">No variants: the product is sold as one item.</p>
        ) : (
          <p className="muted small">
            Name, SKU, price (empty: the product&apos;s price), stock and weight in grams (empty: the product&apos;s weight) of each option.
          </p>
        )}
        {form.variants.map((row, index) => (
          <div className="variant-row" key={row.id ?? `new-${index}`}>
            {variantColumns.map(({ key, field, placeholder }) => (
              <div key={key}>
                <label className="visually-hidden" htmlFor={`variant-${key}-${index}`}>
                  Variant {index + 1} {key}
                </label>
                <input
                  id={`variant-${key}-${index}`}
                  type={key === 'stock' ? 'number' : 'text'}
                  inputMode={key === 'weight' ? 'numeric' : undefined}
                  placeholder={placeholder}
                  value={row[key]}
                  disabled={key === 'stock' && Boolean(row.id)}
                  onChange={(e) =>
                    set(
                      'variants',
                      form.variants.map((r, i) => (i === index ? { ...r, [key]: e.target.value } : r)),
                    )
                  }
                  {...fieldProps(`variants.${index}.${field}`)}
                />
                {fieldError(`variants.${index}.${field}`)}
              </div>
            ))}
            <button
              type="button"
              className="btn btn-small btn-danger"
              onClick={() =>
                set(
                  'variants',
                  form.variants.filter((_, i) => i !== index),
                )
              }
            >
              Remove<span className="visually-hidden"> variant {index + 1}</span>
            </button>
          </div>
        ))}
      </section>
      <div className="toolbar" style={{ marginTop: 16, justifyContent: 'space-between' }}>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null} {creating ? 'Create product' : 'Save changes'}
        </button>
        {creating ? null : (
          <button type="button" className="btn btn-danger" onClick={remove} disabled={busy}>
            Delete product
          </button>
        )}
      </div>
    </form>
  );
}

/** Create (`id` = "new") or edit a product, with stock adjustment and deletion. */
export function AdminProductEditor({ id, created }: { id: string; created: boolean }) {
  const creating = id === 'new';
  const categories = useApi((client) => client.GET('/api/categories'), []);
  const product = useApi((client) => (creating ? null : client.GET('/api/products/{id}', { params: { path: { id } } })), [creating, id]);
  if (categories.status === 'loading' || (!creating && product.status === 'loading')) return <Loading label="Loading…" />;
  if (categories.status !== 'ready')
    return <ErrorState message={categories.status === 'error' ? describeFailure(categories.error) : 'Categories are not available.'} />;
  if (!creating && product.status !== 'ready') {
    const missing = product.status === 'error' && product.error.status === 404;
    return (
      <ErrorState
        title={missing ? 'Product not found' : 'Could not load the product'}
        message={product.status === 'error' ? describeFailure(product.error) : ''}
        action={
          <Link className="btn" href="/admin/products">
            All products
          </Link>
        }
      />
    );
  }
  const current = !creating && product.status === 'ready' ? product.data : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="muted small" style={{ margin: 0 }}>
            <Link href="/admin/products">← Products</Link>
          </p>
          <h1>{current ? current.name : 'New product'}</h1>
        </div>
        {current ? (
          <Link className="btn" href={`/products/${current.id}`}>
            View in store
          </Link>
        ) : null}
      </div>
      {created ? (
        <div className="alert alert-success" role="status">
          Product created.
        </div>
      ) : null}
      <ProductForm key={current?.id ?? 'new'} product={current} categories={categories.data.items} />
      {current ? <StockAdjuster product={current} onAdjusted={product.reload} /> : null}
    </>
  );
}
