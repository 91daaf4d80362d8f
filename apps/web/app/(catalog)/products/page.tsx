import type { Metadata } from 'next';
import { Suspense } from 'react';
import { describeFailure } from '@dema/client';
import { ProductBrowser } from '../../../components/product-browser.tsx';
import { Breadcrumbs, CatalogSkeleton, ErrorState, ServiceUnavailable } from '../../../components/states.tsx';
import { catalogApi } from '../../../lib/api-server.ts';
import { parseProductListState, toApiQuery, type ProductListState } from '../../../lib/product-query.ts';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const state = parseProductListState(await searchParams);
  const title = state.q ? `Search results for “${state.q}”` : 'All products';
  return {
    title,
    description: 'Browse the full catalog: filter by category, price and availability, and sort by price or name.',
    alternates: { canonical: '/products' },
    ...(state.q || state.page > 1 ? { robots: { index: false, follow: true } } : {}),
  };
}

async function Results({ state }: { state: ProductListState }) {
  const [page, categories] = await Promise.all([catalogApi.listProducts(toApiQuery(state)), catalogApi.categories()]);
  if (!page.ok) {
    if (page.error.status === 0 || page.error.status >= 500) return <ServiceUnavailable heading="h2" />;
    return <ErrorState title="We could not show these products" message={describeFailure(page.error)} />;
  }
  return <ProductBrowser basePath="/products" state={state} page={page.data} categories={categories.ok ? categories.data.items : []} />;
}

/**
 * The catalog: every product, searchable, filterable, sortable and paginated; rendered on the
 * server, the heading at once and the results streamed in behind a skeleton.
 */
export default async function ProductsPage({ searchParams }: Props) {
  const state = parseProductListState(await searchParams);
  return (
    <>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Products' }]} />
      <div className="page-head">
        <h1>{state.q ? `Results for “${state.q}”` : 'All products'}</h1>
      </div>
      <Suspense key={JSON.stringify(state)} fallback={<CatalogSkeleton />}>
        <Results state={state} />
      </Suspense>
    </>
  );
}
