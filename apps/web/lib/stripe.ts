'use client';

/**
 * The little of Stripe.js the checkout uses, loaded from the configured URL (Stripe's own
 * https://js.stripe.com/v3/, or the browser tests' stand-in): a card field, and the confirmation of
 * a PaymentIntent with its client secret.
 */
export interface StripeCardElement {
  mount(target: HTMLElement | string): void;
  destroy(): void;
}

export interface StripeJs {
  elements(): { create(type: 'card', options?: Record<string, unknown>): StripeCardElement };
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<{ paymentIntent?: { id: string; status: string }; error?: { code?: string; message?: string } }>;
}

type StripeFactory = (publishableKey: string) => StripeJs;

let loading: { url: string; promise: Promise<StripeFactory> } | null = null;

/**
 * Stripe.js from `url`, added to the page once (a script element the page's own script adds, which
 * the Content-Security-Policy's 'strict-dynamic' trusts); rejects when it cannot be loaded, so the
 * card form can say so, and lets a later call try again.
 */
export function loadStripe(url: string, publishableKey: string): Promise<StripeJs> {
  if (!loading || loading.url !== url) {
    const promise = new Promise<StripeFactory>((resolve, reject) => {
      const existing = (window as { Stripe?: StripeFactory }).Stripe;
      if (existing) {
        resolve(existing);
        return;
      }
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => {
        const factory = (window as { Stripe?: StripeFactory }).Stripe;
        if (factory) resolve(factory);
        else reject(new Error('Stripe.js loaded without defining Stripe'));
      };
      script.onerror = () => {
        loading = null;
        script.remove();
        reject(new Error('Stripe.js could not be loaded'));
      };
      document.head.appendChild(script);
    });
    loading = { url, promise };
  }
  return loading.promise.then((factory) => factory(publishableKey));
}
