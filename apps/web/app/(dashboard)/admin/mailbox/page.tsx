import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminMailbox } from '../../../../components/admin-mailbox.tsx';

export const metadata: Metadata = { title: 'Mailbox' };

export default function AdminMailboxPage() {
  return (
    <AdminOnly permission="users:read">
      <AdminMailbox />
    </AdminOnly>
  );
}
