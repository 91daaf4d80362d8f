import Link from 'next/link';
import type { Category, ProductPage } from '@dema/contracts';
import { formatCount } from '@dema/contracts';
import { pageCount, sortOptions, toPageHref, type ProductListState } from '../lib/product-query.ts';
import { Pager } from './pager.tsx';
import { ProductCard } from './product-card.tsx';
import { EmptyState } from './states.tsx';

/**
 * A filterable, sortable, paginated product grid, rendered on the server. The filters are a plain
 * GET form, so they work before (and without) JavaScript and every result page has its own URL.
 */
export function ProductBrowser({
  basePath,
  state,
  page,
  categories,
  fixedCategory,
}: {
  basePath: string;
  state: ProductListState;
  page: ProductPage;
  categories: Category[];
  /** On a category's page the category is part of the path, not a filter. */
  fixedCategory?: Category;
}) {
  const pages = pageCount(page.total);
  const filtered = Boolean(state.q || (!fixedCategory && state.category) || state.minPrice !== undefined || state.maxPrice !== undefined || state.inStock);
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.items.length;
  return (
    <div className="catalog">
      <aside className="filters panel" aria-label="Filters">
        <form action={basePath} method="get">
          <h2 className="h3">Filter</h2>
          <div className="field">
            <label htmlFor="filter-q">Search</label>
            <input id="filter-q" type="search" name="q" defaultValue={state.q ?? ''} maxLength={200} placeholder="Name or description" />
          </div>
          {fixedCategory ? null : (
            <div className="field">
              <label htmlFor="filter-category">Category</label>
              <select id="filter-category" name="category" defaultValue={state.category ?? ''}>
                <option value="">All categories</option>
                {categories.map((category) => (
                  <option key={category.id} value={category.slug}>
                    {category.name} ({category.productCount})
                  </option>
                ))}
              </select>
            </div>
          )}
          <fieldset className="field" style={{ border: 'none', padding: 0, margin: '0 0 16px' }}>
            <legend style={{ fontWeight: 600, fontSize: '.9rem', marginBottom: 4 }}>Price (USD)</legend>
            <div className="price-range">
              <div>
                <label htmlFor="filter-min" className="visually-hidden">
                  Minimum price
                </label>
                <input
                  id="filter-min"
                  type="number"
                  name="minPrice"
                  min={0}
                  step="0.01"
                  inputMode="decimal"
                  placeholder="Min"
                  defaultValue={state.minPrice ?? ''}
                />
              </div>
              <div>
                <label htmlFor="filter-max" className="visually-hidden">
                  Maximum price
                </label>
                <input
                  id="filter-max"
                  type="number"
                  name="maxPrice"
                  min={0}
                  step="0.01"
                  inputMode="decimal"
                  placeholder="Max"
                  defaultValue={state.maxPrice ?? ''}
                />
              </div>
            </div>
          </fieldset>
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" name="inStock" value="1" defaultChecked={state.inStock ?? false} /> In stock only
            </label>
          </div>
          <div className="field">
            <label htmlFor="filter-sort">Sort by</label>
            <select id="filter-sort" name="sort" defaultValue={state.sort}>
              {sortOptions.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary btn-block">
            Apply
          </button>
          {filtered ? (
            <p style={{ marginTop: 10, textAlign: 'center' }}>
              <Link href={basePath}>Clear filters</Link>
            </p>
          ) : null}
        </form>
      </aside>
      <section aria-labelledby="results-heading">
        <div className="results-bar">
          <h2 id="results-heading" className="muted small" style={{ margin: 0, fontWeight: 500 }} aria-live="polite">
            {page.total === 0 ? 'No products' : `Showing ${first}–${last} of ${formatCount(page.total)} products`}
            {state.q ? ` for “${state.q}”` : ''}
          </h2>
          <nav aria-label="Sort" className="small">
            {sortOptions.map((option, index) => (
              <span key={option.value}>
                {index > 0 ? ' · ' : ''}
                {option.value === state.sort ? (
                  <strong aria-current="true">{option.label}</strong>
                ) : (
                  <Link href={toPageHref(basePath, state, { sort: option.value, page: 1 })}>{option.label}</Link>
                )}
              </span>
            ))}
          </nav>
        </div>
        {page.items.length === 0 ? (
          <EmptyState
            title={filtered ? 'No products match these filters' : 'No products here yet'}
            action={
              filtered ? (
                <Link className="btn" href={basePath}>
                  Clear filters
                </Link>
              ) : (
                <Link className="btn" href="/products">
                  Browse all products
                </Link>
              )
            }
          >
            {filtered ? <p>Try fewer words, a wider price range, or another category.</p> : null}
          </EmptyState>
        ) : (
          <ul className="product-grid" data-testid="product-grid">
            {page.items.map((product) => (
              <li key={product.id}>
                <ProductCard
                  id={product.id}
                  name={product.name}
                  price={product.price}
                  stock={product.stock}
                  images={product.images}
                  specifications={product.specifications}
                  variants={product.variants}
                />
              </li>
            ))}
          </ul>
        )}
        <Pager page={state.page} pages={pages} hrefFor={(number) => toPageHref(basePath, state, { page: number })} />
      </section>
    </div>
  );
}
