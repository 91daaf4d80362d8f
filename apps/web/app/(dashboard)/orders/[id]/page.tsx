import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { customerTransitions, orderStatuses, orderTransitions } from '@dema/contracts';
import { OrderDetailView } from '../../../../components/order-detail-view.tsx';
import { isUuid } from '../../../../lib/api-server.ts';
import { stripeJsUrl } from '../../../../lib/config.ts';

export const metadata: Metadata = { title: 'Order' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function OrderPage({ params, searchParams }: Props) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const placed = (await searchParams).placed === '1';
  return (
    <OrderDetailView
      id={id}
      placed={placed}
      lifecycle={{ statuses: orderStatuses, transitions: orderTransitions, customer: customerTransitions }}
      stripeJsUrl={stripeJsUrl()}
    />
  );
}
