import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { AttemptOutcome } from './webhooks.repository.ts';
import { guardedLookup, isPrivateAddress } from './destination.ts';
import { signWebhook } from './signature.ts';

/** One message to one endpoint, as the Standard Webhooks specification sends it. */
export interface WebhookMessage {
  url: string;
  secret: string;
  /** The event's id: `webhook-id`, the same on every attempt so the receiver can de-duplicate. */
  eventId: string;
  body: string;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/**
 * POSTs `message` once, signed for this attempt's time, and resolves what happened: the status the
 * receiver answered (redirects are not followed: only a 2xx succeeds), or why no answer came. Never
 * rejects. The whole attempt, connection included, is cut off after `timeoutMs`, so a slow receiver
 * costs one slot for that long and no more. Private addresses are refused at connection time
 * unless `allowPrivate`.
 */
export function sendWebhook(message: WebhookMessage, options: SendOptions): Promise<AttemptOutcome> {
  const attemptedAt = new Date();
  const started = performance.now();
  const finish = (responseStatus: number | null, error: string | null): AttemptOutcome => ({
    attemptedAt,
    responseStatus,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  const url = new URL(message.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An address in the URL itself is never looked up, so the connection-time check cannot see it.
  if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    return Promise.resolve(finish(null, `${host} is a private address`));
  }
  const timestamp = Math.floor(attemptedAt.getTime() / 1000);
  return new Promise((resolve) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Dema-Webhooks/1',
        'webhook-id': message.eventId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(message.secret, message.eventId, timestamp, message.body),
      },
      lookup: guardedLookup(options.allowPrivate),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    request.on('response', (response) => {
      // The body is not used; reading it frees the connection.
      response.resume();
      response.on('error', () => undefined);
      resolve(finish(response.statusCode ?? null, null));
    });
    request.on('error', (error) => {
      resolve(finish(null, error.name === 'AbortError' || error.name === 'TimeoutError' ? `no response within ${options.timeoutMs} ms` : error.message));
    });
    request.end(message.body);
  });
}
