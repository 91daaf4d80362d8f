import type { Metadata } from 'next';
import { CartView } from '../../../components/cart-view.tsx';

export const metadata: Metadata = { title: 'Your cart', robots: { index: false } };

export default function CartPage() {
  return (
    <>
      <div className="page-head">
        <h1>Your cart</h1>
      </div>
      <CartView />
    </>
  );
}
