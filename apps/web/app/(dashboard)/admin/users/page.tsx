import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminUsers } from '../../../../components/admin-users.tsx';

export const metadata: Metadata = { title: 'Users' };

export default function AdminUsersPage() {
  return (
    <AdminOnly permission="users:read">
      <AdminUsers />
    </AdminOnly>
  );
}
