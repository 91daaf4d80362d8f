'use client';

import { useEffect, useRef, useState } from 'react';
import { loadStripe, type StripeCardElement, type StripeJs } from '../lib/stripe.ts';

/** The card field, once Stripe.js has mounted it: what confirms a payment with its client secret. */
export type Card = { stripe: StripeJs; element: StripeCardElement };

/**
 * The card field of Stripe.js, mounted here once Stripe.js has loaded (from `scriptUrl`); `onReady`
 * gets it (null again once it is gone). Says so when Stripe.js cannot be loaded.
 */
export function CardField({ scriptUrl, publishableKey, onReady }: { scriptUrl: string; publishableKey: string; onReady: (card: Card | null) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const ready = useRef(onReady);
  ready.current = onReady;
  useEffect(() => {
    let current = true;
    let element: StripeCardElement | null = null;
    loadStripe(scriptUrl, publishableKey).then(
      (stripe) => {
        if (!current || !host.current) return;
        element = stripe.elements().create('card');
        element.mount(host.current);
        ready.current({ stripe, element });
        setState('ready');
      },
      () => current && setState('failed'),
    );
    return () => {
      current = false;
      element?.destroy();
      ready.current(null);
    };
  }, [scriptUrl, publishableKey]);
  return (
    <div className="field" style={{ marginTop: 12 }}>
      <div ref={host} className="card-field" data-testid="card-field" />
      {state === 'loading' ? <p className="muted small">Loading the card form…</p> : null}
      {state === 'failed' ? (
        <p className="field-error" role="alert">
          The card form could not be loaded. Try again later, or choose another way to pay.
        </p>
      ) : null}
    </div>
  );
}
