import Link from 'next/link';
import type { ProductCardProps } from '@dema/contracts';
import { describeStock } from '@dema/contracts';
import { Price } from './store-currency.tsx';

/**
 * The seed's product card, rendered on the server from exactly `ProductCardProps`: first image,
 * name, price (a range when variants are priced apart), stock and two specifications.
 */
export function ProductCard({ id, name, price, stock, images, specifications, variants }: ProductCardProps) {
  const href = `/products/${id}`;
  const prices = (variants ?? []).map((variant) => variant.price ?? price);
  const low = prices.length > 0 ? Math.min(...prices) : price;
  const high = prices.length > 0 ? Math.max(...prices) : price;
  const stockInfo = describeStock(stock);
  const specs = Object.entries(specifications).slice(0, 2);
  const image = images[0];
  return (
    <article className="card product-card" aria-labelledby={`product-${id}`}>
      <Link className="cover" href={href} tabIndex={-1} aria-hidden="true">
        {image ? <img src={image} alt="" width={400} height={300} loading="lazy" decoding="async" /> : null}
      </Link>
      <div className="body">
        <h3 id={`product-${id}`}>
          <Link href={href}>{name}</Link>
        </h3>
        <div className="price" data-testid="card-price">
          {low === high ? (
            <Price amount={price} />
          ) : (
            <>
              <Price amount={low} /> – <Price amount={high} />
            </>
          )}
        </div>
        {specs.length > 0 ? (
          <ul className="specs">
            {specs.map(([key, value]) => (
              <li key={key}>
                {key}: {value}
              </li>
            ))}
          </ul>
        ) : null}
        <div className="meta">
          <span className={`pill pill-${stockInfo.tone}`}>{stockInfo.label}</span>
          {variants && variants.length > 0 ? <span className="muted small">{variants.length} options</span> : null}
        </div>
      </div>
    </article>
  );
}
