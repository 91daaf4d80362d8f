import Link from 'next/link';
import { ProductCard } from '../components/product-card.tsx';
import { ServiceUnavailable } from '../components/states.tsx';
import { catalogApi } from '../lib/api-server.ts';
import { storeName } from '../lib/config.ts';

/** The storefront's front page: a welcome, the categories and the newest products. */
export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const notice = (await searchParams).notice;
  const [categories, newest] = await Promise.all([catalogApi.categories(), catalogApi.listProducts({ limit: 8, offset: 0, sort: 'newest', inStock: true })]);
  if (!categories.ok || !newest.ok) return <ServiceUnavailable />;
  return (
    <>
      {notice === 'staff-only' ? (
        <p className="alert alert-info" role="status">
          That page is for store staff. Here is the store instead.
        </p>
      ) : null}
      <section className="hero">
        <h1>Welcome to {storeName()}</h1>
        <p>Quality goods with honest specifications, fair prices and fast delivery. Browse the catalog and order in a few clicks.</p>
        <Link className="btn" href="/products">
          Shop all products
        </Link>
      </section>
      <div className="section-head">
        <h2>Shop by category</h2>
        <Link href="/categories">All categories</Link>
      </div>
      <ul className="category-grid">
        {categories.data.items.slice(0, 8).map((category) => (
          <li key={category.id}>
            <Link className="card category-tile" href={`/categories/${category.slug}`}>
              <h3>{category.name}</h3>
              <span className="muted small">{category.productCount} products</span>
            </Link>
          </li>
        ))}
      </ul>
      <div className="section-head">
        <h2>New arrivals</h2>
        <Link href="/products">See everything</Link>
      </div>
      <ul className="product-grid">
        {newest.data.items.map((product) => (
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
    </>
  );
}
