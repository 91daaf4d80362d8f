import type { Metadata } from 'next';
import { AdminOnly } from '../../../components/admin-only.tsx';
import { OverviewView } from '../../../components/overview-view.tsx';

export const metadata: Metadata = { title: 'Overview' };

export default function OverviewPage() {
  return (
    <AdminOnly permission="analytics:read">
      <OverviewView />
    </AdminOnly>
  );
}
