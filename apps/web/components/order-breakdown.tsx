import { countryRules, formatPrice, type Address, type CheckoutPreview } from '@dema/contracts';
import { shippingPrice } from '../lib/checkout.ts';

/**
 * The figures of an order or of a checkout preview, exactly as the API sent them: subtotal, the
 * discount with its code, shipping with its method, tax (each rate charged under it), total. Each
 * figure carries `data-testid="<prefix>-<figure>"` (`checkout-total`, `order-total`).
 */
export function OrderBreakdown({ figures, prefix }: { figures: CheckoutPreview; prefix: 'checkout' | 'order' }) {
  return (
    <div className="breakdown">
      <div className="summary-row">
        <span>Subtotal</span>
        <span data-testid={`${prefix}-subtotal`}>{formatPrice(figures.subtotal, figures.currency)}</span>
      </div>
      {figures.discountTotal > 0 || figures.promotionCode ? (
        <div className="summary-row">
          <span>Discount{figures.promotionCode ? <span className="code-chip">{figures.promotionCode}</span> : null}</span>
          <span data-testid={`${prefix}-discount`}>−{formatPrice(figures.discountTotal, figures.currency)}</span>
        </div>
      ) : null}
      {figures.shippingMethod ? (
        <div className="summary-row">
          <span>Shipping · {figures.shippingMethod.name}</span>
          <span data-testid={`${prefix}-shipping`}>{shippingPrice(figures.shippingTotal, figures.currency)}</span>
        </div>
      ) : null}
      <div className="summary-row">
        <span>{figures.pricesIncludeTax ? 'Tax included in prices' : 'Tax'}</span>
        <span data-testid={`${prefix}-tax`}>{formatPrice(figures.taxTotal, figures.currency)}</span>
      </div>
      {figures.taxLines.map((line) => (
        <div className="summary-row sub" key={`${line.appliesTo}:${line.name}`} data-testid={`${prefix}-tax-line`}>
          <span>
            {line.name} ({line.rate}%)
          </span>
          <span>{formatPrice(line.amount, figures.currency)}</span>
        </div>
      ))}
      <div className="summary-row total">
        <span>Total</span>
        <span data-testid={`${prefix}-total`}>{formatPrice(figures.total, figures.currency)}</span>
      </div>
    </div>
  );
}

/** An address as a label would print it. */
export function AddressLines({ address }: { address: Address }) {
  const place = [address.city, address.region, address.postalCode].filter(Boolean).join(' ');
  return (
    <address className="address-lines">
      {address.firstName} {address.lastName}
      {address.company ? <br /> : null}
      {address.company}
      <br />
      {address.line1}
      {address.line2 ? (
        <>
          <br />
          {address.line2}
        </>
      ) : null}
      <br />
      {place}
      <br />
      {countryRules[address.country]?.name ?? address.country}
      {address.phone ? (
        <>
          <br />
          {address.phone}
        </>
      ) : null}
    </address>
  );
}
