import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminPromotions } from '../../../../components/admin-promotions.tsx';

export const metadata: Metadata = { title: 'Promotions' };

export default function AdminPromotionsPage() {
  return (
    <AdminOnly permission="checkout:manage">
      <AdminPromotions />
    </AdminOnly>
  );
}
