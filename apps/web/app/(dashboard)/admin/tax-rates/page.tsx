import type { Metadata } from 'next';
import { AdminOnly } from '../../../../components/admin-only.tsx';
import { AdminTaxRates } from '../../../../components/admin-tax-rates.tsx';

export const metadata: Metadata = { title: 'Tax rates' };

export default function AdminTaxRatesPage() {
  return (
    <AdminOnly permission="checkout:manage">
      <AdminTaxRates />
    </AdminOnly>
  );
}
