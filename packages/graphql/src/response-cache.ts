import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { Kind, parse, type OperationTypeNode } from 'graphql';
import { cacheConfigs, catalogStockTag, type CacheConfig } from '@dema/contracts';
import type { Infrastructure } from '@dema/platform';

/**
 * Anonymous queries' answers as the platform cache keeps REST's product list: the response bytes,
 * fresh for the product list's ttl, under `products` and `catalogStockTag`, so that any catalog
 * write or stock move (through REST or GraphQL, on any instance) drops them. No stale-while-revalidate: a stale entry is
 * refreshed by a load of its own, and an answer here can only be loaded by a client's request
 * running through mercurius.
 */
export const anonymousResponseCache = {
  name: 'graphql-anonymous',
  key: 'graphql:anonymous',
  ttl: cacheConfigs['product-list'].ttl,
  tags: [...cacheConfigs['product-list'].tags, catalogStockTag],
} as const satisfies CacheConfig & { name: string };

/** How long a request may hold the load of its key before others stop waiting on it (a lost reply). */
const LOAD_HOLD_MS = 30_000;
/** Operation kinds remembered, by the query's hash: enough for every query a shop's clients send. */
const REMEMBERED_DOCUMENTS = 2_000;
const json = 'application/json; charset=utf-8';

interface Operation {
  /** sha256 (hex) of the query text: an automatic persisted query's hash is the same. */
  digest: string;
  query: string | undefined;
  operationName: string | undefined;
  variables: string;
}

interface PendingLoad {
  resolve(bytes: string): void;
  reject(reason: Error): void;
}

/** The answer was not one to keep (a mutation reached here by mistake, errors, not a 200). */
class NotCacheable extends Error {}

/**
 * Serves anonymous GraphQL query operations from the platform cache. Registers an `onRoute` hook on
 * `scope`, so it must be called before the GraphQL routes are registered in it; it adds hooks to the
 * `path` routes (GET and POST) only.
 *
 * Cached: requests without `Authorization` whose operation is a query, answered 200 without
 * `errors` and without a cookie. Never: mutations, subscriptions, batches, anything authenticated
 * (a token makes the answer the caller's). The key is a hash of the query (or its automatic
 * persisted query hash), the operation name and the variables. A hit is answered before mercurius
 * runs; the edge's hooks (rate limits, request ids) have already run. Concurrent identical misses
 * run once: the others wait for that answer.
 */
export function registerAnonymousResponseCache(scope: FastifyInstance, infra: Pick<Infrastructure, 'cache' | 'config'>, path = '/graphql'): void {
  // DEMA_CACHE=off: every request would load anyway; leave the routes as they are.
  if (!infra.config.cacheEnabled) return;
  const kinds = new OperationKinds(REMEMBERED_DOCUMENTS);
  const pending = new WeakMap<FastifyRequest, PendingLoad>();

  async function serveFromCache(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.headers.authorization !== undefined || request.headers.upgrade !== undefined || request.validationError) return;
    const operation = readOperation(request);
    if (!operation || kinds.of(operation) !== 'query') return;
    const key = createHash('sha256')
      .update(`${operation.digest}\n${operation.operationName ?? ''}\n${operation.variables}`)
      .digest('base64url');

    let startLoad!: () => void;
    const loadStarted = new Promise<undefined>((resolve) => {
      startLoad = () => resolve(undefined);
    });
    const answer = infra.cache.get(anonymousResponseCache, key, () => {
      startLoad();
      return new Promise<string>((resolve, reject) => {
        // A reply that never reaches onSend or onResponse must not hold this key's waiters forever.
        const timer = setTimeout(() => reject(new NotCacheable('no answer in time')), LOAD_HOLD_MS);
        timer.unref();
        pending.set(request, {
          resolve(bytes) {
            clearTimeout(timer);
            resolve(bytes);
          },
          reject(reason) {
            clearTimeout(timer);
            reject(reason);
          },
        });
      });
    });
    const outcome = await Promise.race([
      answer.then(
        (bytes) => ({ bytes }),
        () => ({ bytes: undefined }),
      ),
      loadStarted,
    ]);
    // This request loads the key: mercurius answers it, onSend hands the bytes to the cache.
    if (outcome === undefined) return;
    // The load this request waited on kept nothing (an error): it runs on its own, uncached.
    if (outcome.bytes === undefined) return;
    return reply.code(200).type(json).send(outcome.bytes);
  }

  function keepAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const load = pending.get(request);
    if (load) {
      pending.delete(request);
      if (reply.statusCode === 200 && typeof payload === 'string' && !reply.hasHeader('set-cookie') && isCleanResult(payload)) load.resolve(payload);
      else load.reject(new NotCacheable(`answered ${reply.statusCode}`));
    }
    return Promise.resolve(payload);
  }

  function dropLoad(request: FastifyRequest): Promise<void> {
    const load = pending.get(request);
    if (load) {
      pending.delete(request);
      load.reject(new NotCacheable('the reply ended without an answer'));
    }
    return Promise.resolve();
  }

  scope.addHook('onRoute', (route: RouteOptions) => {
    if (route.url !== path) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((method) => method === 'GET' || method === 'POST')) return;
    route.preHandler = [...hooksOf(route.preHandler), serveFromCache];
    route.onSend = [...hooksOf(route.onSend), keepAnswer];
    route.onResponse = [...hooksOf(route.onResponse), dropLoad];
    route.onRequestAbort = [...hooksOf(route.onRequestAbort), dropLoad];
  });
}

function hooksOf<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}

/** The operation a GET (query string) or POST (JSON or application/graphql) asks for; undefined when it is not one to cache. */
function readOperation(request: FastifyRequest): Operation | undefined {
  const source = request.method === 'GET' ? request.query : request.body;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return undefined;
  const fields = source as Record<string, unknown>;
  const query = typeof fields.query === 'string' && fields.query.length > 0 ? fields.query : undefined;
  const operationName = typeof fields.operationName === 'string' ? fields.operationName : undefined;
  const variables = request.method === 'GET' ? parseJsonField(fields.variables) : { ok: true, value: fields.variables ?? null };
  const extensions = request.method === 'GET' ? parseJsonField(fields.extensions) : { ok: true, value: fields.extensions ?? null };
  if (!variables.ok || !extensions.ok) return undefined;
  const digest = query !== undefined ? createHash('sha256').update(query, 'utf8').digest('hex') : persistedQueryHash(extensions.value);
  if (digest === undefined) return undefined;
  return { digest, query, operationName, variables: JSON.stringify(variables.value ?? null) };
}

function parseJsonField(raw: unknown): { ok: boolean; value: unknown } {
  if (raw === undefined || raw === null || raw === '') return { ok: true, value: null };
  if (typeof raw !== 'string') return { ok: false, value: null };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, value: null };
  }
}

/** An automatic persisted query's hash (`extensions.persistedQuery`, version 1), when well formed. */
function persistedQueryHash(extensions: unknown): string | undefined {
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } }).persistedQuery;
  if (persisted?.version !== 1 || typeof persisted.sha256Hash !== 'string') return undefined;
  return /^[0-9a-f]{64}$/.test(persisted.sha256Hash) ? persisted.sha256Hash : undefined;
}

/** A GraphQL answer with data and no `errors`: only such answers are the same for every anonymous caller. */
function isCleanResult(payload: string): boolean {
  try {
    const result = JSON.parse(payload) as { data?: unknown; errors?: unknown } | null;
    return typeof result === 'object' && result !== null && result.errors === undefined && result.data !== undefined && result.data !== null;
  } catch {
    return false;
  }
}

/**
 * Which kind of operation a request runs, from its document: parsed once per document and then
 * remembered by its hash, so a cache hit costs no parse. A document only known by its persisted
 * query hash is unknown until a request has carried its text.
 */
class OperationKinds {
  private readonly documents = new Map<string, Map<string, OperationTypeNode> | null>();

  constructor(private readonly capacity: number) {}

  of(operation: Operation): OperationTypeNode | undefined {
    let byName = this.documents.get(operation.digest);
    if (byName === undefined) {
      if (operation.query === undefined) return undefined;
      byName = operationsOf(operation.query);
      // The oldest entry goes first: Map keeps insertion order.
      if (this.documents.size >= this.capacity) this.documents.delete(this.documents.keys().next().value!);
      this.documents.set(operation.digest, byName);
    }
    if (byName === null) return undefined;
    if (operation.operationName !== undefined) return byName.get(operation.operationName);
    // Without a name, GraphQL runs the document's only operation; several are an error.
    return byName.size === 1 ? byName.values().next().value : undefined;
  }
}

/** The operations of a document by name ('' for an anonymous one); null when it does not parse. */
function operationsOf(query: string): Map<string, OperationTypeNode> | null {
  try {
    const byName = new Map<string, OperationTypeNode>();
    for (const definition of parse(query, { noLocation: true }).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) byName.set(definition.name?.value ?? '', definition.operation);
    }
    return byName;
  } catch {
    return null;
  }
}
