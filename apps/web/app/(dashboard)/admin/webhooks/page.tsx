import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminWebhooks } from '../../../../components/admin-webhooks.tsx';

export const metadata: Metadata = { title: 'Webhooks' };

export default function AdminWebhooksPage() {
  return (
    <AdminOnly permission="webhooks:manage">
      <AdminWebhooks />
    </AdminOnly>
  );
}
