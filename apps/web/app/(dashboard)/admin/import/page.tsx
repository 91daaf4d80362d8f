import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminImport } from '../../../../components/admin-import.tsx';

export const metadata: Metadata = { title: 'Import and export' };

export default function AdminImportPage() {
  return (
    <AdminOnly permission="products:write">
      <AdminImport />
    </AdminOnly>
  );
}
