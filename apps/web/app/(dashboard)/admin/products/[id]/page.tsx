import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AdminOnly } from '../../../../../components/admin-only.tsx';
import { AdminProductEditor } from '../../../../../components/admin-products.tsx';
import { isUuid } from '../../../../../lib/api-server.ts';

export const metadata: Metadata = { title: 'Edit product' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminProductPage({ params, searchParams }: Props) {
  const { id } = await params;
  if (id !== 'new' && !isUuid(id)) notFound();
  const created = (await searchParams).created === '1';
  return (
    <AdminOnly permission="products:write">
      <AdminProductEditor id={id} created={created} />
    </AdminOnly>
  );
}
