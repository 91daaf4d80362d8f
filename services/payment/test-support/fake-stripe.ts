import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the few Stripe API endpoints the Payment service uses, for tests: the
 * official SDK talks to it (STRIPE_API_BASE), and it answers in Stripe's JSON shapes, honours
 * `Idempotency-Key` as Stripe does (the same key and parameters → the same answer, replayed; the same
 * key with other parameters → 400 idempotency_error) and signs its webhooks exactly as Stripe does
 * (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">`). Webhooks are not sent on their
 * own: a test delivers the recorded events when and as often as it likes, in any order.
 *
 * Endpoints: POST /v1/payment_intents, GET /v1/payment_intents/:id, POST /v1/payment_intents/:id/
 * {capture,cancel,confirm}, POST /v1/refunds. `confirm` is what the shopper's browser does with
 * Stripe.js: `payment_method=pm_card_visa` authorizes, `pm_card_chargeDeclined` is declined.
 *
 * For browser tests it also serves a stand-in Stripe.js at GET /v3/ (`standInStripeJs`): a page
 * loads it as it would https://js.stripe.com/v3/, and its `confirmCardPayment` confirms from the
 * browser as Stripe.js does (the publishable key and the client secret in the body, CORS allowed).
 * A confirmation from the browser delivers its events to `webhookUrl` at once, signed, before it is
 * answered, as Stripe would shortly after: nobody else is there to deliver them in a browser test.
 */

type Json = Record<string, unknown>;

export interface FakeIntent extends Json {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  status: 'requires_payment_method' | 'requires_capture' | 'succeeded' | 'canceled';
  client_secret: string;
  latest_charge: string | null;
  last_payment_error: { code: string; message: string; type: string } | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

interface FakeCharge extends Json {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  refunded: boolean;
  currency: string;
  payment_intent: string;
  status: 'succeeded';
}

export interface FakeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  data: { object: Json };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

/** The header Stripe signs a webhook with: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`. */
export function stripeSignature(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const clone = <T>(value: T): T => structuredClone(value);

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly extra: Json = {},
  ) {
    super(message);
  }
}

export class FakeStripe {
  readonly intents = new Map<string, FakeIntent>();
  readonly charges = new Map<string, FakeCharge>();
  /** Every event, in the order it happened. */
  readonly events: FakeEvent[] = [];
  /** Requests as they came: method, path, idempotency key. */
  readonly requests: Array<{ method: string; path: string; idempotencyKey: string | undefined }> = [];
  private readonly idempotent = new Map<string, { params: string; status: number; body: string }>();
  /** Where `deliver` sends events. */
  webhookUrl: string | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly webhookSecret: string,
  ) {}

  /** Listens on a free local port. */
  static async start(webhookSecret = `whsec_${randomBytes(16).toString('hex')}`): Promise<FakeStripe> {
    let fake: FakeStripe | undefined;
    const server = createServer((request, response) => void fake!.handle(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    fake = new FakeStripe(server, `http://127.0.0.1:${port}`, webhookSecret);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The events of `type` (of one PaymentIntent's, when given), oldest first. */
  eventsOf(type: string, intentId?: string): FakeEvent[] {
    return this.events.filter((e) => e.type === type && (intentId === undefined || e.data.object.id === intentId || e.data.object.payment_intent === intentId));
  }

  /**
   * Sends `event` to `webhookUrl` as Stripe would (signed with `secret`, by default the endpoint's);
   * the same event may be delivered again, and events in any order.
   */
  async deliver(event: FakeEvent, options: { secret?: string; timestamp?: number; signature?: string } = {}): Promise<{ status: number; body: Json }> {
    if (!this.webhookUrl) throw new Error('set webhookUrl first');
    const payload = JSON.stringify(event, null, 2);
    const response = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': options.signature ?? stripeSignature(payload, options.secret ?? this.webhookSecret, options.timestamp),
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  /** Confirms a PaymentIntent as the shopper's browser would: authorized, or declined. */
  async confirm(intentId: string, outcome: 'authorized' | 'declined' = 'authorized'): Promise<number> {
    const response = await fetch(`${this.url}/v1/payment_intents/${intentId}/confirm`, {
      method: 'POST',
      headers: { authorization: 'Bearer pk_test_fake', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_method: outcome === 'authorized' ? 'pm_card_visa' : 'pm_card_chargeDeclined' }),
    });
    await response.arrayBuffer();
    return response.status;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (request.url ?? '/').split('?')[0]!;
    const key = request.headers['idempotency-key'] as string | undefined;
    this.requests.push({ method: request.method ?? 'GET', path, idempotencyKey: key });
    const send = (status: number, body: string, replayed = false) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'request-id': id('req'),
        ...(key ? { 'idempotency-key': key } : {}),
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
      response.end(body);
    };
    if (request.method === 'GET' && path === '/v3/') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(standInStripeJs(this.url));
      return;
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(204, browserCors);
      response.end();
      return;
    }
    const browser = browserConfirmation(request.method ?? 'GET', path, new URLSearchParams(text));
    if (browser) {
      await this.confirmFromBrowser(browser, response);
      return;
    }
    if (!/^Bearer (sk|pk|rk)_/.test(request.headers.authorization ?? '')) {
      send(401, JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } }));
      return;
    }
    const scopedKey = key;
    if (scopedKey !== undefined && request.method === 'POST') {
      const earlier = this.idempotent.get(scopedKey);
      if (earlier) {
        if (earlier.params !== `${path}?${text}`) {
          const message = 'Keys for idempotent requests can only be used with the same parameters they were first used with.';
          send(400, JSON.stringify({ error: { type: 'idempotency_error', message } }));
        } else send(earlier.status, earlier.body, true);
        return;
      }
    }
    let status = 200;
    let body: string;
    try {
      body = JSON.stringify(this.route(request.method ?? 'GET', path, new URLSearchParams(text), key ?? null));
    } catch (error) {
      if (!(error instanceof StripeError)) throw error;
      status = error.status;
      body = JSON.stringify({ error: { type: error.type, code: error.code, message: error.message, ...error.extra } });
    }
    // Stripe keeps the answer for the key, errors included (except its own 5xx).
    if (scopedKey !== undefined && request.method === 'POST') this.idempotent.set(scopedKey, { params: `${path}?${text}`, status, body });
    send(status, body);
  }

  /**
   * A confirmation as Stripe.js sends it from the shopper's browser: checked against the intent's
   * client secret, then confirmed; the events it caused are delivered (signed) before it is
   * answered, with `{ error }` for a decline as Stripe.js would resolve it.
   */
  private async confirmFromBrowser(confirmation: { intentId: string; params: URLSearchParams }, response: ServerResponse): Promise<void> {
    const answer = (status: number, body: Json) => {
      response.writeHead(status, { ...browserCors, 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const intent = this.intents.get(confirmation.intentId);
    if (!intent || confirmation.params.get('client_secret') !== intent.client_secret) {
      answer(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } });
      return;
    }
    const before = this.events.length;
    let status = 200;
    let body: Json;
    try {
      body = this.confirmIntent(intent, confirmation.params, null);
    } catch (error) {
      if (!(error instanceof StripeError)) throw error;
      status = error.status;
      body = { error: { type: error.type, code: error.code, message: error.message, ...error.extra } };
    }
    if (this.webhookUrl) {
      for (const event of this.events.slice(before)) await this.deliver(event).catch(() => undefined);
    }
    answer(status, body);
  }

  private route(method: string, path: string, params: URLSearchParams, idempotencyKey: string | null): Json {
    if (method === 'POST' && path === '/v1/payment_intents') return this.createIntent(params, idempotencyKey);
    if (method === 'POST' && path === '/v1/refunds') return this.refund(params, idempotencyKey);
    const match = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel|confirm))?$/.exec(path);
    const intent = match ? this.intents.get(match[1]!) : undefined;
    if (!match || !intent) throw new StripeError(404, 'invalid_request_error', 'resource_missing', `No such payment_intent: '${match?.[1] ?? path}'`);
    if (method === 'GET' && !match[2]) return clone(intent);
    if (method !== 'POST') throw new StripeError(404, 'invalid_request_error', 'resource_missing', `Unrecognized request URL (${method}: ${path})`);
    switch (match[2]) {
      case 'capture':
        return this.capture(intent, params, idempotencyKey);
      case 'cancel':
        return this.cancel(intent, idempotencyKey);
      case 'confirm':
        return this.confirmIntent(intent, params, idempotencyKey);
      default:
        throw new StripeError(400, 'invalid_request_error', 'parameter_unknown', 'Updating a PaymentIntent is not supported by this fake');
    }
  }

  private createIntent(params: URLSearchParams, idempotencyKey: string | null): FakeIntent {
    const amount = Number(params.get('amount'));
    if (!Number.isSafeInteger(amount) || amount < 1)
      throw new StripeError(400, 'invalid_request_error', 'parameter_invalid_integer', 'Invalid integer: amount');
    const currency = params.get('currency');
    if (!currency) throw new StripeError(400, 'invalid_request_error', 'parameter_missing', 'Missing required param: currency.');
    const intentId = id('pi');
    const metadata: Record<string, string> = {};
    for (const [name, value] of params) {
      const field = /^metadata\[(.+)\]$/.exec(name);
      if (field) metadata[field[1]!] = value;
    }
    const intent: FakeIntent = {
      id: intentId,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency,
      capture_method: params.get('capture_method') ?? 'automatic',
      status: 'requires_payment_method',
      client_secret: `${intentId}_secret_${randomBytes(12).toString('hex')}`,
      latest_charge: null,
      last_payment_error: null,
      metadata,
      created: now(),
      livemode: false,
    };
    this.intents.set(intentId, intent);
    this.emit('payment_intent.created', intent, idempotencyKey);
    return clone(intent);
  }

  private confirmIntent(intent: FakeIntent, params: URLSearchParams, idempotencyKey: string | null): FakeIntent {
    if (intent.status !== 'requires_payment_method') throw unexpectedState(intent, 'confirm');
    if (params.get('payment_method') === 'pm_card_chargeDeclined') {
      intent.last_payment_error = { code: 'card_declined', message: 'Your card was declined.', type: 'card_error' };
      this.emit('payment_intent.payment_failed', intent, idempotencyKey);
      throw new StripeError(402, 'card_error', 'card_declined', 'Your card was declined.', { payment_intent: clone(intent) });
    }
    const charge: FakeCharge = {
      id: id('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      refunded: false,
      currency: intent.currency,
      payment_intent: intent.id,
      status: 'succeeded',
    };
    this.charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
    intent.last_payment_error = null;
    if (intent.capture_method === 'manual') {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      this.emit('payment_intent.amount_capturable_updated', intent, idempotencyKey);
    } else {
      this.settle(intent, charge, intent.amount, idempotencyKey);
    }
    return clone(intent);
  }

  private capture(intent: FakeIntent, params: URLSearchParams, idempotencyKey: string | null): FakeIntent {
    if (intent.status !== 'requires_capture') throw unexpectedState(intent, 'capture');
    const amount = params.has('amount_to_capture') ? Number(params.get('amount_to_capture')) : intent.amount_capturable;
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > intent.amount_capturable) {
      throw new StripeError(400, 'invalid_request_error', 'amount_too_large', 'The amount to capture exceeds the amount capturable');
    }
    this.settle(intent, this.charges.get(intent.latest_charge!)!, amount, idempotencyKey);
    return clone(intent);
  }

  private settle(intent: FakeIntent, charge: FakeCharge, amount: number, idempotencyKey: string | null): void {
    intent.status = 'succeeded';
    intent.amount_capturable = 0;
    intent.amount_received = amount;
    charge.captured = true;
    charge.amount_captured = amount;
    this.emit('charge.captured', charge, idempotencyKey);
    this.emit('payment_intent.succeeded', intent, idempotencyKey);
  }

  private cancel(intent: FakeIntent, idempotencyKey: string | null): FakeIntent {
    if (intent.status === 'succeeded' || intent.status === 'canceled') throw unexpectedState(intent, 'cancel');
    intent.status = 'canceled';
    intent.amount_capturable = 0;
    this.emit('payment_intent.canceled', intent, idempotencyKey);
    return clone(intent);
  }

  private refund(params: URLSearchParams, idempotencyKey: string | null): Json {
    const intent = this.intents.get(params.get('payment_intent') ?? '');
    if (!intent) throw new StripeError(404, 'invalid_request_error', 'resource_missing', `No such payment_intent: '${params.get('payment_intent')}'`);
    const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
    if (intent.status !== 'succeeded' || !charge) throw unexpectedState(intent, 'refund');
    const left = charge.amount_captured - charge.amount_refunded;
    const amount = params.has('amount') ? Number(params.get('amount')) : left;
    if (left === 0) throw new StripeError(400, 'invalid_request_error', 'charge_already_refunded', `Charge ${charge.id} has already been refunded.`);
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > left) {
      throw new StripeError(
        400,
        'invalid_request_error',
        'amount_too_large',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      );
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    const refund = {
      id: id('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      currency: charge.currency,
      payment_intent: intent.id,
      status: 'succeeded',
      created: now(),
    };
    this.emit('charge.refunded', charge, idempotencyKey);
    return refund;
  }

  private emit(type: string, object: Json, idempotencyKey: string | null): void {
    this.events.push({
      id: id('evt'),
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: now(),
      type,
      data: { object: clone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: id('req'), idempotency_key: idempotencyKey },
    });
  }
}

function unexpectedState(intent: FakeIntent, action: string): StripeError {
  return new StripeError(
    400,
    'invalid_request_error',
    'payment_intent_unexpected_state',
    `You cannot ${action} this PaymentIntent because it has a status of ${intent.status}.`,
    { payment_intent: clone(intent) },
  );
}

/** What a page on another origin (the storefront) needs to call the fake from the browser. */
const browserCors = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

/** A confirmation from the browser: the intent's confirm route with a publishable key in the body (no secret key header). */
function browserConfirmation(method: string, path: string, params: URLSearchParams): { intentId: string; params: URLSearchParams } | undefined {
  const match = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path);
  if (method !== 'POST' || !match || !params.get('key')?.startsWith('pk_')) return undefined;
  return { intentId: match[1]!, params };
}

/**
 * The stand-in for Stripe.js the fake serves at /v3/: `Stripe(pk)` with `elements().create('card')`
 * (a plain card-number input, labelled "Card number", mounted where asked) and
 * `confirmCardPayment(clientSecret, { payment_method: { card } })`, which resolves to
 * `{ paymentIntent }` or `{ error }` as Stripe.js does. Card 4000 0000 0000 0002 is declined, as on
 * Stripe's test cards; any other number authorizes.
 */
export function standInStripeJs(base: string): string {
  return `(function () {
  var base = ${JSON.stringify(base)};
  window.Stripe = function (publishableKey) {
    if (typeof publishableKey !== 'string' || publishableKey.indexOf('pk_') !== 0) throw new Error('Stripe(): a publishable key (pk_...) is required');
    return {
      elements: function () {
        return {
          create: function (type) {
            var input = document.createElement('input');
            input.type = 'text';
            input.inputMode = 'numeric';
            input.autocomplete = 'cc-number';
            input.setAttribute('aria-label', 'Card number');
            input.placeholder = '4242 4242 4242 4242';
            input.className = 'stand-in-card';
            return {
              type: type,
              mount: function (target) {
                var host = typeof target === 'string' ? document.querySelector(target) : target;
                host.appendChild(input);
              },
              unmount: function () { if (input.parentNode) input.parentNode.removeChild(input); },
              destroy: function () { if (input.parentNode) input.parentNode.removeChild(input); },
              on: function () {},
              focus: function () { input.focus(); },
              _number: function () { return input.value.replace(/\\s+/g, ''); }
            };
          }
        };
      },
      confirmCardPayment: function (clientSecret, data) {
        var card = data && data.payment_method && data.payment_method.card;
        var number = card && card._number ? card._number() : '';
        var intentId = String(clientSecret).split('_secret_')[0];
        var body = new URLSearchParams({
          key: publishableKey,
          client_secret: clientSecret,
          payment_method: number === '4000000000000002' ? 'pm_card_chargeDeclined' : 'pm_card_visa'
        });
        return fetch(base + '/v1/payment_intents/' + encodeURIComponent(intentId) + '/confirm', { method: 'POST', body: body }).then(
          function (response) {
            return response.json().then(function (answer) {
              return response.ok ? { paymentIntent: answer } : { error: answer.error };
            });
          },
          function () {
            return { error: { type: 'api_connection_error', message: 'Stripe could not be reached' } };
          }
        );
      }
    };
  };
})();
`;
}
