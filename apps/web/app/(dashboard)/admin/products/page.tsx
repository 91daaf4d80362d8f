import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminProductList } from '../../../../components/admin-products.tsx';

export const metadata: Metadata = { title: 'Manage products' };

export default function AdminProductsPage() {
  return (
    <AdminOnly permission="products:write">
      <AdminProductList />
    </AdminOnly>
  );
}
