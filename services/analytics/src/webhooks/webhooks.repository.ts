import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpointDisabledEvent, WebhookEndpointWithSecret } from '@dema/contracts';
import { appendToOutbox, createEvent, type Queryable } from '@dema/platform';

interface EndpointRow {
  id: string;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | Date | null;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
}

const endpointColumns = 'id, url, events, secret, enabled, disabled_reason, failing_since, consecutive_failures, created_at, updated_at';

function toEndpoint(row: EndpointRow): WebhookEndpointWithSecret {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    secret: row.secret,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since === null ? null : new Date(row.failing_since).toISOString(),
    consecutiveFailures: row.consecutive_failures,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertEndpoint(
  db: Queryable,
  endpoint: { id: string; url: string; events: string[]; secret: string; enabled: boolean },
): Promise<WebhookEndpointWithSecret> {
  const { rows } = await db.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, url, events, secret, enabled) VALUES ($1, $2, $3::text[], $4, $5) RETURNING ${endpointColumns}`,
    [endpoint.id, endpoint.url, endpoint.events, endpoint.secret, endpoint.enabled],
  );
  return toEndpoint(rows[0]!);
}

export async function listEndpoints(db: Queryable): Promise<WebhookEndpointWithSecret[]> {
  const { rows } = await db.query<EndpointRow>(`SELECT ${endpointColumns} FROM webhook_endpoints ORDER BY created_at, id`);
  return rows.map(toEndpoint);
}

/** The endpoint, or undefined; `lock` holds it until the transaction ends. */
export async function findEndpoint(db: Queryable, id: string, lock = false): Promise<WebhookEndpointWithSecret | undefined> {
  const { rows } = await db.query<EndpointRow>(`SELECT ${endpointColumns} FROM webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && toEndpoint(rows[0]);
}

/**
 * Changes the given fields. Enabling (again) clears the reason it was disabled and its failure
 * count, so a repaired receiver gets a fresh start.
 */
export async function updateEndpoint(
  db: Queryable,
  id: string,
  change: { url?: string; events?: string[]; secret?: string; enabled?: boolean },
): Promise<WebhookEndpointWithSecret | undefined> {
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints
        SET url = COALESCE($2, url),
            events = COALESCE($3::text[], events),
            secret = COALESCE($4, secret),
            enabled = COALESCE($5, enabled),
            disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason ELSE NULL END,
            consecutive_failures = CASE WHEN $5 THEN 0 ELSE consecutive_failures END,
            failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
            updated_at = now()
      WHERE id = $1
      RETURNING ${endpointColumns}`,
    [id, change.url ?? null, change.events ?? null, change.secret ?? null, change.enabled ?? null],
  );
  return rows[0] && toEndpoint(rows[0]);
}

/** Deletes the endpoint with its deliveries and their attempts; false when there was none. */
export async function deleteEndpoint(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
  return rowCount > 0;
}

/** Which of `eventNames` some enabled endpoint subscribes to. */
export async function subscribedEventNames(db: Queryable, eventNames: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    'SELECT DISTINCT e.name FROM webhook_endpoints w, unnest(w.events) AS e(name) WHERE w.enabled AND w.events && $1::text[] AND e.name = ANY ($1::text[])',
    [eventNames],
  );
  return new Set(rows.map((row) => row.name));
}

/**
 * Keeps the event's body and creates one pending delivery, due now, for each enabled endpoint that
 * subscribes to `eventName`. The same event again creates nothing (unique endpoint and event), so a
 * redelivery by the bus, or a concurrent one, never means a second delivery. Resolves how many were created.
 */
export async function fanOut(tx: Queryable, event: { id: string; name: string; body: string }, retryWindowMs: number): Promise<number> {
  await tx.query('INSERT INTO webhook_messages (event_id, event_type, body) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING', [
    event.id,
    event.name,
    event.body,
  ]);
  const { rowCount } = await tx.query(
    `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, next_attempt_at, retry_until)
     SELECT gen_random_uuid(), id, $1, now(), now() + $3::int * interval '1 millisecond'
       FROM webhook_endpoints WHERE enabled AND $2 = ANY (events)
     ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
    [event.id, event.name, retryWindowMs],
  );
  return rowCount;
}

/** A delivery claimed for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  leaseToken: string;
  endpointId: string;
  url: string;
  secret: string;
  eventId: string;
  body: string;
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints for `leaseMs`: each gets a new lease
 * token, and a delivery whose lease has not run out is not due. Rows another instance is claiming
 * at the same moment are skipped, not waited for, so no two instances ever hold the same attempt.
 */
export async function claimDueDeliveries(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<{ id: string; lease_token: string; endpoint_id: string; url: string; secret: string; event_id: string; body: string }>(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.enabled
          AND (d.lease_until IS NULL OR d.lease_until < now())
        ORDER BY d.next_attempt_at
        LIMIT $1
        FOR UPDATE OF d SKIP LOCKED
     ), claimed AS (
       UPDATE webhook_deliveries d SET lease_token = gen_random_uuid(), lease_until = now() + $2::int * interval '1 millisecond'
         FROM due WHERE d.id = due.id
       RETURNING d.id, d.lease_token, d.endpoint_id, d.event_id
     )
     SELECT c.id, c.lease_token, c.endpoint_id, e.url, e.secret, c.event_id, m.body
       FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id JOIN webhook_messages m ON m.event_id = c.event_id`,
    [limit, leaseMs],
  );
  return rows.map((row) => ({
    id: row.id,
    leaseToken: row.lease_token,
    endpointId: row.endpoint_id,
    url: row.url,
    secret: row.secret,
    eventId: row.event_id,
    body: row.body,
  }));
}

/** What one attempt gave. */
export interface AttemptOutcome {
  attemptedAt: Date;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

/** What recording an attempt changed. */
export interface RecordedAttempt {
  status: WebhookDeliveryStatus;
  /** The endpoint was disabled by this attempt (it reached the limit of consecutive failures). */
  disabledEndpoint: boolean;
}

/**
 * Records an attempt of a claimed delivery, if `leaseToken` still holds it (an attempt whose lease
 * ran out and was claimed again is not recorded: the newer one is). Success ends the delivery;
 * a failure schedules the next attempt `retryDelayMs` from now, or ends it as failed when that would
 * fall after its retry window. The endpoint's count of consecutive failures is reset or incremented,
 * and once it reaches `disableAfterFailures` over at least `disableAfterFailingMs` (from the first
 * failure of the run to this one) the endpoint is disabled with `disabledReason`, and this writes
 * WEBHOOK_ENDPOINT_DISABLED to the outbox, both through `tx`: one event per disabling, however many
 * attempts fail at once (the endpoint's row lock lets only the first see it enabled). Resolves
 * undefined when the lease was lost.
 */
export async function recordAttempt(
  tx: Queryable,
  delivery: { id: string; leaseToken: string; endpointId: string },
  outcome: AttemptOutcome,
  succeeded: boolean,
  retry: { retryDelayMs: (failedAttempts: number) => number; disableAfterFailures: number; disableAfterFailingMs: number },
): Promise<RecordedAttempt | undefined> {
  const current = await tx.query<{ attempt_count: number }>('SELECT attempt_count FROM webhook_deliveries WHERE id = $1 AND lease_token = $2 FOR UPDATE', [
    delivery.id,
    delivery.leaseToken,
  ]);
  if (current.rows.length === 0) return undefined;
  const attempt = current.rows[0]!.attempt_count + 1;
  const { rows } = await tx.query<{ status: WebhookDeliveryStatus }>(
    `UPDATE webhook_deliveries
        SET attempt_count = $2,
            status = CASE WHEN $3 THEN 'succeeded' WHEN now() + $4::int * interval '1 millisecond' > retry_until THEN 'failed' ELSE 'pending' END,
            next_attempt_at = CASE WHEN $3 OR now() + $4::int * interval '1 millisecond' > retry_until THEN NULL ELSE now() + $4::int * interval '1 millisecond' END,
            finished_at = CASE WHEN $3 OR now() + $4::int * interval '1 millisecond' > retry_until THEN now() ELSE NULL END,
            lease_token = NULL, lease_until = NULL
      WHERE id = $1
      RETURNING status`,
    [delivery.id, attempt, succeeded, retry.retryDelayMs(attempt)],
  );
  await tx.query('INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, response_status, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)', [
    delivery.id,
    attempt,
    outcome.attemptedAt.toISOString(),
    outcome.responseStatus,
    outcome.error,
    outcome.durationMs,
  ]);
  if (succeeded) {
    await tx.query('UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL WHERE id = $1', [delivery.endpointId]);
    return { status: rows[0]!.status, disabledEndpoint: false };
  }
  const counted = await tx.query<{ enabled: boolean; consecutive_failures: number; failing_since: Date | string }>(
    `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, $2)
      WHERE id = $1 RETURNING enabled, consecutive_failures, failing_since`,
    [delivery.endpointId, outcome.attemptedAt.toISOString()],
  );
  const endpoint = counted.rows[0];
  const failingSince = endpoint && new Date(endpoint.failing_since);
  const failingForMs = failingSince ? outcome.attemptedAt.getTime() - failingSince.getTime() : 0;
  const disabling = endpoint?.enabled === true && endpoint.consecutive_failures >= retry.disableAfterFailures && failingForMs >= retry.disableAfterFailingMs;
  if (disabling) {
    const last = outcome.responseStatus === null ? (outcome.error ?? 'no response') : `HTTP ${outcome.responseStatus}`;
    const disabledAt = outcome.attemptedAt.toISOString();
    const since = failingSince!.toISOString();
    const reason = `Disabled on ${disabledAt} after ${endpoint.consecutive_failures} consecutive failed attempts since ${since} (last: ${last}); enable it again once the receiver works`;
    const disabled = await tx.query<{ url: string }>(
      'UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 RETURNING url',
      [delivery.endpointId, reason],
    );
    await appendToOutbox(
      tx,
      createEvent<WebhookEndpointDisabledEvent>('WEBHOOK_ENDPOINT_DISABLED', {
        endpointId: delivery.endpointId,
        // The URL now, not the one claimed with the delivery: an admin may have changed it meanwhile.
        url: disabled.rows[0]!.url,
        reason,
        failedAttempts: endpoint.consecutive_failures,
        timestamp: disabledAt,
      }),
    );
  }
  return { status: rows[0]!.status, disabledEndpoint: disabling };
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: WebhookDeliveryStatus;
  next_attempt_at: string | null;
  created_at: string;
}

interface AttemptRow {
  delivery_id: string;
  attempted_at: string;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}

async function withAttempts(db: Queryable, deliveries: DeliveryRow[]): Promise<WebhookDelivery[]> {
  if (deliveries.length === 0) return [];
  const { rows } = await db.query<AttemptRow>(
    'SELECT delivery_id, attempted_at, response_status, error, duration_ms FROM webhook_attempts WHERE delivery_id = ANY ($1::uuid[]) ORDER BY delivery_id, attempt',
    [deliveries.map((d) => d.id)],
  );
  const attempts = new Map<string, WebhookAttempt[]>();
  for (const row of rows) {
    const list = attempts.get(row.delivery_id) ?? [];
    list.push({ attemptedAt: row.attempted_at, responseStatus: row.response_status, error: row.error, durationMs: row.duration_ms });
    attempts.set(row.delivery_id, list);
  }
  return deliveries.map((d) => ({
    id: d.id,
    endpointId: d.endpoint_id,
    eventId: d.event_id,
    eventType: d.event_type,
    status: d.status,
    nextAttemptAt: d.next_attempt_at,
    createdAt: d.created_at,
    attempts: attempts.get(d.id) ?? [],
  }));
}

const deliveryColumns = 'd.id, d.endpoint_id, d.event_id, m.event_type, d.status, d.next_attempt_at, d.created_at';

/** The endpoint's deliveries, newest first, with their attempts in order. */
export async function listDeliveries(db: Queryable, endpointId: string, query: { status?: WebhookDeliveryStatus; limit: number }): Promise<WebhookDelivery[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${deliveryColumns} FROM webhook_deliveries d JOIN webhook_messages m ON m.event_id = d.event_id
      WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2)
      ORDER BY d.created_at DESC, d.id DESC LIMIT $3`,
    [endpointId, query.status ?? null, query.limit],
  );
  return withAttempts(db, rows);
}

export async function findDelivery(db: Queryable, endpointId: string, deliveryId: string): Promise<WebhookDelivery | undefined> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${deliveryColumns} FROM webhook_deliveries d JOIN webhook_messages m ON m.event_id = d.event_id WHERE d.endpoint_id = $1 AND d.id = $2`,
    [endpointId, deliveryId],
  );
  return (await withAttempts(db, rows))[0];
}

/**
 * Makes the delivery due now, with a new retry window. An attempt already in flight keeps its lease:
 * the delivery is sent again only once that lease is released or has run out.
 */
export async function scheduleRedelivery(db: Queryable, endpointId: string, deliveryId: string, retryWindowMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE webhook_deliveries
        SET status = 'pending', next_attempt_at = now(), retry_until = now() + $3::int * interval '1 millisecond', finished_at = NULL
      WHERE endpoint_id = $1 AND id = $2`,
    [endpointId, deliveryId, retryWindowMs],
  );
  return rowCount > 0;
}

/**
 * Deletes up to `batchSize` deliveries (with their attempts) that ended more than `retentionMs` ago.
 * Rows another instance is deleting at the same moment are skipped, not waited for, so instances
 * sweeping together share the work and never block each other. Resolves how many were deleted.
 */
export async function pruneEndedDeliveries(db: Queryable, retentionMs: number, batchSize: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries
        WHERE finished_at < now() - $1::bigint * interval '1 millisecond'
        LIMIT $2
        FOR UPDATE SKIP LOCKED)`,
    [retentionMs, batchSize],
  );
  return rowCount;
}

/**
 * Deletes up to `batchSize` event bodies received more than `retentionMs` ago that no delivery
 * refers to any more (theirs were pruned, or their endpoint deleted), skipping rows locked elsewhere
 * as above. Resolves how many were deleted.
 */
export async function pruneOrphanMessages(db: Queryable, retentionMs: number, batchSize: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM webhook_messages WHERE event_id IN (
       SELECT m.event_id FROM webhook_messages m
        WHERE m.received_at < now() - $1::bigint * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = m.event_id)
        LIMIT $2
        FOR UPDATE OF m SKIP LOCKED)`,
    [retentionMs, batchSize],
  );
  return rowCount;
}

/** Deliveries still to be sent or retried, across all endpoints. */
export async function countPendingDeliveries(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'");
  return rows[0]!.n;
}
