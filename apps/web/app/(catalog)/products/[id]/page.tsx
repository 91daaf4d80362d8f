import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { describeFailure } from '@dema/client';
import { BuyBox } from '../../../../components/buy-box.tsx';
import { ProductGallery } from '../../../../components/product-gallery.tsx';
import { Breadcrumbs, ErrorState, ServiceUnavailable } from '../../../../components/states.tsx';
import { catalogApi, isUuid } from '../../../../lib/api-server.ts';
import { specificationsWithWeight } from '../../../../lib/product-weight.ts';

type Props = { params: Promise<{ id: string }> };

// generateMetadata and the page read the same product: once per request.
const loadProduct = cache(async (id: string) => (isUuid(id) ? catalogApi.product(id) : null));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const result = await loadProduct((await params).id);
  if (!result?.ok) return { title: 'Product not found', robots: { index: false } };
  const product = result.data;
  const description = (product.description ?? `${product.name} in ${product.category.name}`).slice(0, 160);
  return {
    title: product.name,
    description,
    alternates: { canonical: `/products/${product.id}` },
    openGraph: { title: product.name, description, type: 'website', images: product.images.slice(0, 1) },
  };
}

/** A product: images, price, stock, variants, specifications (with its weight), description, and "Add to cart". */
export default async function ProductPage({ params }: Props) {
  const result = await loadProduct((await params).id);
  if (result === null) notFound();
  if (!result.ok) {
    if (result.error.status === 404) notFound();
    if (result.error.status === 0 || result.error.status >= 500) return <ServiceUnavailable />;
    return <ErrorState message={describeFailure(result.error)} />;
  }
  const product = result.data;
  const specifications = specificationsWithWeight(product);
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.name,
    description: product.description ?? undefined,
    image: product.images,
    offers: {
      '@type': 'Offer',
      price: product.price.toFixed(2),
      priceCurrency: 'USD',
      availability: `https://schema.org/${product.stock > 0 ? 'InStock' : 'OutOfStock'}`,
    },
  };
  return (
    <>
      <Breadcrumbs
        items={[{ label: 'Home', href: '/' }, { label: product.category.name, href: `/categories/${product.category.slug}` }, { label: product.name }]}
      />
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: JSON-LD must be the script's own text; our JSON with `<` escaped cannot end the element */}
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(jsonLd).replace(/</g, '\\u003c') }} />
      <div className="product-detail">
        <ProductGallery images={product.images} name={product.name} />
        <div>
          <h1 data-testid="product-name">{product.name}</h1>
          <p className="muted">{product.category.name}</p>
          <BuyBox productId={product.id} price={product.price} stock={product.stock} variants={product.variants} />
          {product.description ? (
            <section className="panel" style={{ marginTop: 20 }} aria-labelledby="description-heading">
              <h2 id="description-heading">Description</h2>
              <p style={{ whiteSpace: 'pre-line', margin: 0 }}>{product.description}</p>
            </section>
          ) : null}
          {specifications.length > 0 ? (
            <section className="panel" aria-labelledby="specs-heading">
              <h2 id="specs-heading">Specifications</h2>
              <table className="spec-table">
                <tbody>
                  {specifications.map(([key, value]) => (
                    <tr key={key}>
                      <th scope="row">{key}</th>
                      <td>{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
        </div>
      </div>
    </>
  );
}
