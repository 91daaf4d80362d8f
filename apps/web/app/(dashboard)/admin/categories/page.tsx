import type { Metadata } from 'next';
import { AdminCategories } from '../../../../components/admin-categories.tsx';
import { AdminOnly } from '../../../../components/admin-only.tsx';

export const metadata: Metadata = { title: 'Manage categories' };

export default function AdminCategoriesPage() {
  return (
    <AdminOnly permission="products:write">
      <AdminCategories />
    </AdminOnly>
  );
}
