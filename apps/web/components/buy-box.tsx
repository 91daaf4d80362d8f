'use client';

import Link from 'next/link';
import { useId, useState } from 'react';
import type { ProductVariant } from '@dema/contracts';
import { useStoreCurrency } from './store-currency.tsx';
import { describeFailure } from '@dema/client';
import { addToCart } from '../lib/cart.ts';
import { addToGuestCart } from '../lib/guest-cart.ts';
import { describeStock, formatPrice } from '@dema/contracts';
import { useSession } from '../lib/session.ts';

/**
 * Price, stock, variant choice, quantity and "Add to cart". Price and stock follow the chosen
 * variant; a visitor who is not signed in fills a cart kept in this browser until they sign in.
 */
export function BuyBox({ productId, price, stock, variants }: { productId: string; price: number; stock: number; variants: ProductVariant[] }) {
  const currency = useStoreCurrency();
  const session = useSession();
  const quantityId = useId();
  const [variantId, setVariantId] = useState<string | null>(() => variants.find((v) => v.stock > 0)?.id ?? variants[0]?.id ?? null);
  const [quantity, setQuantity] = useState(1);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const variant = variants.find((v) => v.id === variantId) ?? null;
  const unitPrice = variant?.price ?? price;
  const available = variant ? variant.stock : stock;
  const stockInfo = describeStock(available);
  const maxQuantity = Math.max(1, Math.min(available, 1000));

  async function add(): Promise<void> {
    setBusy(true);
    setMessage(null);
    try {
      const units =
        session.status === 'anonymous'
          ? addToGuestCart(productId, quantity, variantId)
          : (await addToCart(productId, quantity, variantId)).items.reduce((sum, item) => sum + item.quantity, 0);
      setMessage({ kind: 'ok', text: `Added to your cart (${units} ${units === 1 ? 'item' : 'items'} in cart).` });
    } catch (error) {
      setMessage({ kind: 'error', text: describeFailure(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="buy-box">
      <div className="price" data-testid="product-price">
        {formatPrice(unitPrice, currency)}
      </div>
      <p>
        <span className={`pill pill-${stockInfo.tone}`} data-testid="stock">
          {stockInfo.label}
        </span>
      </p>
      {variants.length > 0 ? (
        <fieldset className="variant-options">
          <legend>Options</legend>
          {variants.map((option) => (
            <label key={option.id} className="variant-option">
              <input
                type="radio"
                name="variant"
                value={option.id}
                checked={option.id === variantId}
                disabled={option.stock <= 0}
                onChange={() => {
                  setVariantId(option.id);
                  setQuantity(1);
                  setMessage(null);
                }}
              />
              <span>
                {option.name}
                {option.price !== null && option.price !== price ? ` · ${formatPrice(option.price, currency)}` : ''}
                {option.stock <= 0 ? ' (sold out)' : ''}
              </span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="buy-row">
        <div className="qty">
          <label htmlFor={quantityId}>Quantity</label>
          <input
            id={quantityId}
            type="number"
            min={1}
            max={maxQuantity}
            value={quantity}
            disabled={available <= 0}
            onChange={(event) => setQuantity(Math.max(1, Math.min(maxQuantity, Math.floor(Number(event.target.value) || 1))))}
          />
        </div>
        <button type="button" className="btn btn-primary" onClick={add} disabled={busy || available <= 0 || session.status === 'loading'}>
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          {available <= 0 ? 'Out of stock' : 'Add to cart'}
        </button>
      </div>
      <div aria-live="polite" style={{ marginTop: 12 }}>
        {message ? (
          <div className={`alert ${message.kind === 'ok' ? 'alert-success' : 'alert-error'}`} role={message.kind === 'error' ? 'alert' : 'status'}>
            {message.text} {message.kind === 'ok' ? <Link href="/cart">View cart</Link> : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}
