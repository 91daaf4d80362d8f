import type { ClientRequestArgs } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphqlError } from './client.ts';

export interface WsClientOptions {
  /** Sent in the connection_init payload as `{ authorization: 'Bearer …' }`. */
  token?: string;
  /** Sent as the upgrade request's Authorization header instead. */
  headerToken?: string;
}

/** A graphql-ws client (protocol graphql-transport-ws) of `${url}/graphql`; dispose it after. */
export function wsClient(url: string, options: WsClientOptions = {}): Client {
  const headers: ClientRequestArgs['headers'] = options.headerToken ? { authorization: `Bearer ${options.headerToken}` } : {};
  class SignedSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: SignedSocket,
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

/** A subscription's next payload, or its errors (graphql-ws rejects with the `error` message's list). */
export async function nextPayload<T>(iterator: AsyncIterator<{ data?: T | null; errors?: readonly unknown[] }>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    iterator.next(),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no payload within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error('the subscription completed');
  if (result.value.errors?.length) throw new Error(`payload errors: ${JSON.stringify(result.value.errors)}`);
  return result.value.data as T;
}

/** The errors a refused subscription ends with. */
export async function refusal(iterator: AsyncIterator<unknown>): Promise<GraphqlError[]> {
  try {
    const result = await iterator.next();
    throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  } catch (error) {
    if (Array.isArray(error)) return error as GraphqlError[];
    throw error;
  }
}
