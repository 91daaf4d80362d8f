import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminAudit } from '../../../../components/admin-audit.tsx';

export const metadata: Metadata = { title: 'Audit log' };

export default function AdminAuditPage() {
  return (
    <AdminOnly permission="audit:read">
      <AdminAudit />
    </AdminOnly>
  );
}
