import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  type CreateWebhookEndpoint,
  type UpdateWebhookEndpoint,
  type WebhookDelivery,
  type WebhookDeliveryQuery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '@dema/contracts';
import { conflict, notFound, unprocessable, type Db, type WebhookSettings } from '@dema/platform';
import { recordOwnAudit } from '../db/audit-log.repository.ts';
import { checkDestination, DestinationRefused } from './destination.ts';
import { generateSecret } from './signature.ts';
import * as repository from './webhooks.repository.ts';

/** The endpoints admins register and their delivery log (routes under /api/webhooks). */
export class WebhookEndpoints {
  constructor(
    private readonly db: Db,
    private readonly settings: WebhookSettings,
    /** Told when a redelivery is due now. */
    private readonly due: () => void,
  ) {}

  /** Refuses (422, naming body.url) a URL that does not resolve or reaches a private address unless allowed. */
  private async checkUrl(url: string): Promise<void> {
    try {
      await checkDestination(new URL(url), this.settings.allowPrivate);
    } catch (error) {
      if (error instanceof DestinationRefused) throw unprocessable(ErrorCode.WEBHOOK_URL_REFUSED, 'body.url', error.message);
      throw error;
    }
  }

  async create(input: CreateWebhookEndpoint): Promise<WebhookEndpointWithSecret> {
    await this.checkUrl(input.url);
    return this.db.transaction(async (tx) => {
      const endpoint = await repository.insertEndpoint(tx, {
        id: randomUUID(),
        url: input.url,
        events: input.events,
        secret: input.secret ?? generateSecret(),
        enabled: input.enabled ?? true,
      });
      await recordOwnAudit(tx, {
        action: 'webhook_endpoint.created',
        resourceType: 'webhook_endpoint',
        resourceId: endpoint.id,
        before: null,
        after: withoutSecret(endpoint),
      });
      return endpoint;
    });
  }

  async list(): Promise<WebhookEndpoint[]> {
    return (await repository.listEndpoints(this.db)).map(withoutSecret);
  }

  async get(id: string): Promise<WebhookEndpointWithSecret> {
    return (await repository.findEndpoint(this.db, id)) ?? endpointNotFound(id);
  }

  async update(id: string, change: UpdateWebhookEndpoint): Promise<WebhookEndpointWithSecret> {
    if (change.url !== undefined) await this.checkUrl(change.url);
    const endpoint = await this.db.transaction(async (tx) => {
      const before = (await repository.findEndpoint(tx, id, true)) ?? endpointNotFound(id);
      const after = (await repository.updateEndpoint(tx, id, change))!;
      await recordOwnAudit(tx, {
        action: 'webhook_endpoint.updated',
        resourceType: 'webhook_endpoint',
        resourceId: id,
        before: withoutSecret(before),
        after: { ...withoutSecret(after), secretChanged: change.secret !== undefined && change.secret !== before.secret },
      });
      return after;
    });
    if (change.enabled) this.due();
    return endpoint;
  }

  async remove(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = (await repository.findEndpoint(tx, id, true)) ?? endpointNotFound(id);
      await repository.deleteEndpoint(tx, id);
      await recordOwnAudit(tx, {
        action: 'webhook_endpoint.deleted',
        resourceType: 'webhook_endpoint',
        resourceId: id,
        before: withoutSecret(before),
        after: null,
      });
    });
  }

  async deliveries(id: string, query: WebhookDeliveryQuery): Promise<WebhookDelivery[]> {
    await this.get(id);
    return repository.listDeliveries(this.db, id, query);
  }

  /**
   * Sends the delivery again, with the same `webhook-id` (receivers that de-duplicate treat it as
   * the same event), and retries it again for the configured window if it fails. 409 when the
   * endpoint is disabled: it would not be sent until enabled.
   */
  async redeliver(id: string, deliveryId: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(id);
    if (!endpoint.enabled) throw conflict(ErrorCode.WEBHOOK_ENDPOINT_DISABLED, `Webhook endpoint ${id} is disabled; enable it to redeliver`);
    await this.db.transaction(async (tx) => {
      if (!(await repository.scheduleRedelivery(tx, id, deliveryId, this.settings.retryWindowMs))) deliveryNotFound(deliveryId);
      await recordOwnAudit(tx, {
        action: 'webhook_delivery.redelivered',
        resourceType: 'webhook_delivery',
        resourceId: deliveryId,
        before: null,
        after: { endpointId: id },
      });
    });
    this.due();
    return (await repository.findDelivery(this.db, id, deliveryId)) ?? deliveryNotFound(deliveryId);
  }
}

/** The audit log never keeps a signing secret: who holds the log would hold the key. */
function withoutSecret({ secret: _secret, ...endpoint }: WebhookEndpointWithSecret): WebhookEndpoint {
  return endpoint;
}

function endpointNotFound(id: string): never {
  throw notFound(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, `No webhook endpoint ${id}`);
}

function deliveryNotFound(id: string): never {
  throw notFound(ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, `No delivery ${id} of this endpoint`);
}
