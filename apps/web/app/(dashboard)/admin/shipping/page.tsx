import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminShipping } from '../../../../components/admin-shipping.tsx';

export const metadata: Metadata = { title: 'Shipping' };

export default function AdminShippingPage() {
  return (
    <AdminOnly permission="checkout:manage">
      <AdminShipping />
    </AdminOnly>
  );
}
