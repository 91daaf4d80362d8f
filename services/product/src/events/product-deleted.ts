import { eventVersions, routingKeys } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

/**
 * Records a PRODUCT_DELETED event in the transaction that deleted the product, after the delete:
 * its `timestamp` is then later than that of every STOCK_UPDATED of the product (those were read
 * under the row lock the delete waited for), so a consumer keeping "the latest state" by time
 * keeps the deletion.
 */
export async function recordProductDeleted(tx: Queryable, productId: string, name: string): Promise<void> {
  await tx.query(
    `INSERT INTO outbox (id, type, version, routing_key, payload)
     VALUES (gen_random_uuid(), 'PRODUCT_DELETED', $1, $2, jsonb_build_object('productId', $3::uuid, 'name', $4::text, 'timestamp', stock_event_time()))`,
    [eventVersions.PRODUCT_DELETED, routingKeys.PRODUCT_DELETED, productId, name],
  );
}
