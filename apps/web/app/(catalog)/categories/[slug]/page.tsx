import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache, Suspense } from 'react';
import type { Category } from '@dema/contracts';
import { ProductBrowser } from '../../../../components/product-browser.tsx';
import { Breadcrumbs, CatalogSkeleton, ServiceUnavailable } from '../../../../components/states.tsx';
import { catalogApi } from '../../../../lib/api-server.ts';
import { parseProductListState, toApiQuery, type ProductListState } from '../../../../lib/product-query.ts';

type Props = {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const loadCategory = cache((slug: string) => catalogApi.category(slug));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug } = await params;
  const result = await loadCategory(slug);
  if (!result.ok) return { title: 'Category not found', robots: { index: false } };
  return {
    title: result.data.name,
    description: result.data.description ?? `Shop ${result.data.name}: ${result.data.productCount} products.`,
    alternates: { canonical: `/categories/${result.data.slug}` },
  };
}

/** One category's products, with the same search, filters, sort and pages as the catalog. */
export default async function CategoryPage({ params, searchParams }: Props) {
  const { slug } = await params;
  const category = await loadCategory(slug);
  if (!category.ok) {
    if (category.error.status === 404 || category.error.status === 400) notFound();
    return <ServiceUnavailable />;
  }
  const state = { ...parseProductListState(await searchParams), category: category.data.slug };
  return (
    <>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Categories', href: '/categories' }, { label: category.data.name }]} />
      <div className="page-head">
        <div>
          <h1>{category.data.name}</h1>
          {category.data.description ? (
            <p className="muted" style={{ margin: '6px 0 0' }}>
              {category.data.description}
            </p>
          ) : null}
        </div>
      </div>
      <Suspense key={JSON.stringify(state)} fallback={<CatalogSkeleton />}>
        <Results category={category.data} state={state} />
      </Suspense>
    </>
  );
}

async function Results({ category, state }: { category: Category; state: ProductListState }) {
  const [page, categories] = await Promise.all([catalogApi.listProducts(toApiQuery(state)), catalogApi.categories()]);
  if (!page.ok) return <ServiceUnavailable heading="h2" />;
  return (
    <ProductBrowser
      basePath={`/categories/${category.slug}`}
      state={state}
      page={page.data}
      categories={categories.ok ? categories.data.items : []}
      fixedCategory={category}
    />
  );
}
