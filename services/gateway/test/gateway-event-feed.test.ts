import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { routingKeys } from '@dema/contracts';
import { createLogger, RabbitMqBus } from '@dema/platform';
import { sampleOrderStatusChanged, testAmqpUrl, waitFor } from '@dema/platform/testing';
import type { RunningGateway } from '../src/edge/run-gateway.ts';
import { startTestGateway, TestUpstream } from './support/index.ts';

// Unset without DEMA_TEST_REQUIRE_REAL: skipped; with it, importing the testing module fails the run.
const amqpUrl = testAmqpUrl();

describe('a gateway given AMQP_URL', { skip: amqpUrl ? false : 'TEST_AMQP_URL not set' }, () => {
  const amqpNamespace = `test-gw-${randomBytes(3).toString('hex')}.`;
  let users: TestUpstream;
  let gateways: RunningGateway[];
  let service: RabbitMqBus;

  before(async () => {
    users = await TestUpstream.start('user');
    // Two gateway instances, as a cluster behind a balancer would run them.
    const config = { amqpUrl, amqpNamespace, amqpQueueExpiresMs: 60_000 };
    gateways = [await startTestGateway(config, { upstreams: { user: [users.url] } }), await startTestGateway(config, { upstreams: { user: [users.url] } })];
    // Stands in for the Order service's outbox relay.
    service = await RabbitMqBus.open(amqpUrl!, createLogger('silent'), { namespace: amqpNamespace, expiresMs: 60_000 });
  });
  after(async () => {
    await service.close();
    for (const gateway of gateways) await gateway.close();
    await users.close();
  });

  test('each instance follows the services’ events on its own bus: every one sees every event', async () => {
    const seen = gateways.map(() => [] as string[]);
    await Promise.all(gateways.map((gateway, i) => gateway.infra.bus.follow([routingKeys.ORDER_STATUS_CHANGED], (event) => void seen[i]!.push(event.id))));
    const events = [sampleOrderStatusChanged(1), sampleOrderStatusChanged(2)];
    for (const event of events) await service.publish(event, routingKeys.ORDER_STATUS_CHANGED);
    await waitFor('both events on both gateways', () => seen.every((ids) => ids.length === 2));
    for (const ids of seen)
      assert.deepEqual(
        ids,
        events.map((e) => e.id),
      );
  });

  test('its readiness reports the bus', async () => {
    const ready = (await (await fetch(`${gateways[0]!.url}/health/ready`)).json()) as { checks: Record<string, { status: string; detail?: string }> };
    assert.deepEqual(ready.checks.bus, { status: 'up', detail: 'rabbitmq' });
  });
});
