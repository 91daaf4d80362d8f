import type { Metadata } from 'next';
import { AdminCheckoutSettings } from '../../../../components/admin-checkout-settings.tsx';
import { AdminOnly } from '../../../../components/admin-only.tsx';

export const metadata: Metadata = { title: 'Checkout settings' };

export default function AdminCheckoutSettingsPage() {
  return (
    <AdminOnly permission="checkout:manage">
      <AdminCheckoutSettings />
    </AdminOnly>
  );
}
