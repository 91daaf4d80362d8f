import Type from 'typebox';
import { MetricsHistoryQuery, NoFields, routingKeys } from '@dema/contracts';
import { AppError, auditEventOf, problemResponses, requiresToken, unavailable, type DeadLetterRegistry, type DemaApp, type EventBus } from '@dema/platform';
import type { Monitor } from './monitor.ts';

/**
 * The dashboard's monitoring reads, admin only: the seed has no monitoring permission, and
 * analytics:read is the one its table gives the admin dashboard.
 */
export async function monitoringRoutes(app: DemaApp, monitor: Monitor, deadLetters: DeadLetterRegistry, bus: EventBus): Promise<void> {
  const config = { permission: 'analytics:read' as const };
  const security = requiresToken;
  const errors = problemResponses(401, 403);

  app.get(
    '/api/monitoring/system',
    {
      config,
      schema: {
        tags: ['monitoring'],
        operationId: 'getSystemMetrics',
        summary: "This machine's CPU, memory, disk and network (seed: SystemMetrics)",
        security,
        querystring: NoFields,
        response: { 200: Type.Ref('SystemMetrics'), ...errors },
      },
    },
    async () => monitor.systemMetrics(),
  );

  app.get(
    '/api/monitoring/application',
    {
      config,
      schema: {
        tags: ['monitoring'],
        operationId: 'getApplicationMetrics',
        summary: 'Requests at this entry, and the database and cache of the services behind it, since they started (seed: ApplicationMetrics)',
        security,
        querystring: NoFields,
        response: { 200: Type.Ref('ApplicationMetrics'), ...errors },
      },
    },
    async () => monitor.applicationMetrics(),
  );

  app.get(
    '/api/monitoring/history',
    {
      config,
      schema: {
        tags: ['monitoring'],
        operationId: 'getMetricsHistory',
        summary: 'SystemMetrics and ApplicationMetrics as read at each alert evaluation over the last minutes (at most an hour), oldest first',
        security,
        querystring: MetricsHistoryQuery,
        response: { 200: Type.Ref('MetricsHistory'), ...problemResponses(400), ...errors },
      },
    },
    async (request) => monitor.history((request.query as MetricsHistoryQuery).minutes),
  );

  app.get(
    '/api/monitoring/alerts',
    {
      config,
      schema: {
        tags: ['monitoring'],
        operationId: 'listAlerts',
        summary: 'Active (pending or firing) and recently resolved alerts, with what each channel was told',
        security,
        querystring: NoFields,
        response: { 200: Type.Ref('AlertList'), ...errors },
      },
    },
    async () => monitor.alerts(),
  );

  app.get(
    '/api/monitoring/dead-letters',
    {
      config,
      schema: {
        tags: ['monitoring'],
        operationId: 'listDeadLetters',
        summary: 'Events a consumer kept failing on, set aside (not lost) until retried; oldest first',
        description:
          'Embedded, they wait in the outbox of the service that wrote them; with RabbitMQ, in the dead-letter queue of the consumer that failed. ' +
          'Their number is the `events_dead_letters` metric.',
        security,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
        response: { 200: DeadLetterList, ...problemResponses(400, 503), ...errors },
      },
    },
    async (request) => ({ items: await unavailableOnError(deadLetters.list((request.query as { limit: number }).limit)) }),
  );

  app.post(
    '/api/monitoring/dead-letters/retry',
    {
      config,
      schema: {
        tags: ['monitoring'],
        operationId: 'retryDeadLetters',
        summary: 'Delivers dead letters again (all, or those with the given event ids) to the consumers that failed on them',
        security,
        body: Type.Object(
          { ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 1000 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ retried: Type.Integer({ description: 'How many dead letters were put back in line' }) }),
          ...problemResponses(400, 503),
          ...errors,
        },
      },
    },
    async (request) => {
      const ids = (request.body as { ids?: string[] }).ids?.map((id) => id.toLowerCase());
      const retried = await unavailableOnError(deadLetters.retry(ids));
      // Monitoring has no database to share a transaction with the change: the entry is published
      // once the letters are back in line. With RabbitMQ the retry itself went through the broker a
      // moment before, so a bus refusing the entry is rare; the request then fails 503 with the
      // letters retried and this one entry missing.
      const resourceId = ids === undefined ? 'all' : ids.length === 1 ? ids[0]! : 'selected';
      const entry = auditEventOf({
        action: 'dead_letters.retried',
        resourceType: 'dead_letters',
        resourceId,
        before: null,
        after: { ids: ids ?? null, retried },
      });
      if (entry) await unavailableOnError(bus.publish(entry, routingKeys.AUDIT_RECORDED));
      return { retried };
    },
  );
}

/** Where dead letters wait (a database, RabbitMQ) not answering is a 503 to retry, not a 500. */
async function unavailableOnError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The cause goes to the log with the request (as `cause`), never to the client.
    throw Object.assign(unavailable('Dead letters cannot be reached right now; try again shortly', 5), { cause: error });
  }
}

const DeadLetterList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid', description: "The event's id" }),
      type: Type.String(),
      routingKey: Type.String(),
      source: Type.String({ description: '`outbox:<service>` (embedded bus) or `queue:<consumer>` (RabbitMQ)' }),
      consumers: Type.Array(Type.String(), { description: 'The consumers that failed on it' }),
      error: Type.String({ description: 'The last handler error' }),
      attempts: Type.Integer(),
      deadAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
});
