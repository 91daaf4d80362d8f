import type { Metadata } from 'next';
import { CheckoutView } from '../../../components/checkout-view.tsx';
import { stripeJsUrl } from '../../../lib/config.ts';

export const metadata: Metadata = { title: 'Checkout', robots: { index: false } };

export default function CheckoutPage() {
  return (
    <>
      <div className="page-head">
        <h1>Checkout</h1>
      </div>
      <CheckoutView stripeJsUrl={stripeJsUrl()} />
    </>
  );
}
