import type { Metadata } from 'next';
import Link from 'next/link';
import { Breadcrumbs, EmptyState, ServiceUnavailable } from '../../../components/states.tsx';
import { catalogApi } from '../../../lib/api-server.ts';
import { formatCount } from '@dema/contracts';

export const metadata: Metadata = {
  title: 'Categories',
  description: 'Every category of the store, with how many products each holds.',
  alternates: { canonical: '/categories' },
};

/** Every category as a tile with its product count. */
export default async function CategoriesPage() {
  const result = await catalogApi.categories();
  if (!result.ok) return <ServiceUnavailable />;
  const categories = result.data.items;
  return (
    <>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Categories' }]} />
      <div className="page-head">
        <h1>Categories</h1>
      </div>
      {categories.length === 0 ? (
        <EmptyState title="No categories yet">
          <p>The store has not set up its categories yet.</p>
        </EmptyState>
      ) : (
        <ul className="category-grid">
          {categories.map((category) => (
            <li key={category.id}>
              <Link className="card category-tile" href={`/categories/${category.slug}`}>
                <h2>{category.name}</h2>
                {category.description ? <p className="muted small">{category.description}</p> : null}
                <span className="pill">{formatCount(category.productCount)} products</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
