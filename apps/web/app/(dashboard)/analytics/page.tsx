import type { Metadata } from 'next';
import { AdminOnly } from '../../../components/admin-only.tsx';
import { AnalyticsView } from '../../../components/analytics-view.tsx';

export const metadata: Metadata = { title: 'Analytics' };

export default function AnalyticsPage() {
  return (
    <AdminOnly permission="analytics:read">
      <AnalyticsView />
    </AdminOnly>
  );
}
