import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { realTarget, replicationSkip, startReplicatedPostgres, type ReplicatedPostgres } from '@dema/platform/testing';
import { orderCreated, products, startAnalytics, type AnalyticsTestProcess } from './helpers.ts';

// Reports on a real primary with a streaming replica (started here).
describe('analytics reports with a read replica', { skip: replicationSkip() }, () => {
  let cluster: ReplicatedPostgres;
  let dema: AnalyticsTestProcess;
  const day = '2023-07-14';

  /** How many report reads `outcome` has counted so far (`db_replica_reads_total`). */
  const replicaReads = async (outcome: string) => {
    const { values } = await dema.infra.metrics.replicaReads.get();
    return values.find((v) => v.labels.service === 'analytics' && v.labels.outcome === outcome)?.value ?? 0;
  };
  const summary = async () => {
    const reply = await dema.admin(`/api/analytics/summary?from=${day}&to=${day}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body as { orders: number };
  };

  before(async () => {
    cluster = await startReplicatedPostgres();
    dema = await startAnalytics(realTarget()!, {
      databaseUrls: { user: cluster.primaryUrl, analytics: cluster.primaryUrl },
      databaseReadUrls: { analytics: cluster.replicaUrl },
    });
    const mark = await dema.mark();
    await dema.publish(orderCreated({ timestamp: `${day}T09:00:00Z`, items: [{ productId: products.kettle, quantity: 1, price: 10 }] }));
    await dema.settled(mark, 1);
    await cluster.caughtUp();
  });
  after(async () => {
    await dema?.dispose();
    await cluster?.close();
  });

  test('a report is read from the replica', async () => {
    const before = await replicaReads('replica');
    assert.equal((await summary()).orders, 1);
    assert.ok((await replicaReads('replica')) > before);
  });

  test('the replica stopped: reports still answer, from the primary', async () => {
    await cluster.stopReplica();
    const before = await replicaReads('unavailable');
    assert.equal((await summary()).orders, 1);
    assert.ok((await replicaReads('unavailable')) > before);
  });
});
