import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { watchOrderStatus, type DemaClient } from '@dema/client';
import type { Order, OrderPage, OrderStatus } from '@dema/contracts';
import { isFinal } from './order-status.ts';

const pageSize = 20;

/** How the status is watched (a WebSocket implementation, the polling interval); the client's defaults otherwise. */
export type WatchOptions = Parameters<typeof watchOrderStatus>[3];
export const ordersQueryKey = ['orders'] as const;
export const orderQueryKey = (id: string) => ['orders', 'detail', id] as const;

/** The signed-in customer's orders, newest first, a page at a time. */
export function useOrders(client: DemaClient, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: [...ordersQueryKey, 'list'],
    enabled,
    // The client already retried what is worth retrying (429, 503, a refresh on 401); the screen offers "Try again".
    retry: false,
    initialPageParam: 0,
    queryFn: ({ pageParam }) => client.GET('/api/orders', { params: { query: { limit: pageSize, offset: pageParam } } }) as Promise<OrderPage>,
    getNextPageParam: (last: OrderPage) => (last.offset + last.items.length < last.total ? last.offset + last.items.length : undefined),
  });
}

/**
 * One order, kept current while it is on screen: each status change the API reports (the GraphQL
 * subscription, or polling where WebSocket is not available) is applied at once, then the order is
 * read again for the rest of what changed.
 */
export function useOrder(client: DemaClient, id: string, enabled: boolean, watchOptions?: WatchOptions) {
  const queryClient = useQueryClient();
  const order = useQuery({
    queryKey: orderQueryKey(id),
    enabled,
    retry: false,
    queryFn: () => client.GET('/api/orders/{id}', { params: { path: { id } } }) as Promise<Order>,
  });
  const status = order.data?.status;
  const watching = enabled && status !== undefined && !isFinal(status);
  useEffect(() => {
    if (!watching) return;
    return watchOrderStatus(
      client,
      id,
      (next: OrderStatus) => {
        queryClient.setQueryData<Order>(orderQueryKey(id), (known) => (known ? { ...known, status: next } : known));
        void queryClient.invalidateQueries({ queryKey: orderQueryKey(id) });
        void queryClient.invalidateQueries({ queryKey: [...ordersQueryKey, 'list'] });
      },
      watchOptions,
    );
  }, [client, id, watching, queryClient, watchOptions]);
  return order;
}
