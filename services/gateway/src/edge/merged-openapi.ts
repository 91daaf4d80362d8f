import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { DemaApp, Logger, ServiceName } from '@dema/platform';
import { serviceFor } from './routes-table.ts';
import { describeError, type UpstreamInstance, type UpstreamPool } from './upstream-pool.ts';

type JsonObject = Record<string, unknown>;

/** An OpenAPI 3.1 document, as far as merging needs to know it. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, JsonObject>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  tags?: Array<{ name: string }>;
  /** Services whose document could not be fetched this time (absent when all answered). */
  'x-dema-unavailable'?: string[];
}

const documentPath = '/api/docs/openapi.json';

/**
 * One OpenAPI document for the whole API behind the gateway: each service's document (fetched
 * from any healthy instance) merged — paths, component schemas, security schemes and tags. Only
 * the paths the gateway forwards to that service are kept, so the document never promises a route
 * the gateway would 404. A complete document is kept for `ttlMs` (30 s); one missing a service is
 * fetched again on the next request and names the missing services in `x-dema-unavailable`.
 */
export class MergedOpenApi {
  private cached: { document: OpenApiDocument; at: number } | undefined;
  private loading: Promise<OpenApiDocument> | undefined;

  constructor(
    private readonly pools: Partial<Record<ServiceName, UpstreamPool>>,
    private readonly info: OpenApiDocument['info'],
    private readonly log: Logger,
    /** The gateway's own routes (health, modules mounted at the edge), documented first. */
    private readonly local: () => Partial<OpenApiDocument> = () => ({}),
    private readonly ttlMs = 30_000,
  ) {}

  /** The latest merged document; loads one when there is none or it is stale. */
  async document(): Promise<OpenApiDocument> {
    const cached = this.cached;
    if (cached && Date.now() - cached.at < this.ttlMs && !cached.document['x-dema-unavailable']) return cached.document;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** The document last loaded (for the synchronous Swagger UI hook); empty before the first load. */
  current(): OpenApiDocument {
    return this.cached?.document ?? this.empty();
  }

  private async load(): Promise<OpenApiDocument> {
    const merged = this.empty();
    const unavailable: string[] = [];
    this.add(merged, 'gateway', this.local(), () => true);
    for (const [service, pool] of Object.entries(this.pools) as Array<[ServiceName, UpstreamPool]>) {
      const part = await fetchDocument(pool).catch((error: unknown) => {
        this.log.warn({ service, err: error }, 'could not fetch a service OpenAPI document');
        return undefined;
      });
      if (part) this.add(merged, service, part, (path) => serviceFor(path) === service);
      else unavailable.push(service);
    }
    if (unavailable.length > 0) merged['x-dema-unavailable'] = unavailable;
    this.cached = { document: merged, at: Date.now() };
    return merged;
  }

  private add(merged: OpenApiDocument, source: string, part: Partial<OpenApiDocument>, routed: (path: string) => boolean): void {
    for (const [path, operations] of Object.entries(part.paths ?? {})) {
      if (!routed(path)) continue;
      if (merged.paths[path]) this.log.warn({ source, path }, 'path documented twice; keeping the first');
      else merged.paths[path] = operations;
    }
    // The first copy of a shared schema (Problem) wins; they all come from one contracts package.
    merged.components.schemas = { ...part.components?.schemas, ...merged.components.schemas };
    merged.components.securitySchemes = { ...part.components?.securitySchemes, ...merged.components.securitySchemes };
    for (const tag of part.tags ?? []) if (!merged.tags!.some((t) => t.name === tag.name)) merged.tags!.push(tag);
  }

  private empty(): OpenApiDocument {
    return { openapi: '3.1.0', info: { ...this.info }, paths: {}, components: { schemas: {}, securitySchemes: {} }, tags: [] };
  }
}

async function fetchDocument(pool: UpstreamPool): Promise<Partial<OpenApiDocument>> {
  const tried = new Set<UpstreamInstance>();
  let failure = 'no healthy instance';
  for (let instance = pool.pick(tried); instance; instance = pool.pick(tried)) {
    tried.add(instance);
    try {
      const response = await instance.dispatcher.request({ path: documentPath, method: 'GET', headersTimeout: 5_000, bodyTimeout: 5_000 });
      if (response.statusCode === 200) return (await response.body.json()) as Partial<OpenApiDocument>;
      await response.body.dump();
      failure = `${instance.url} answered ${response.statusCode}`;
    } catch (error) {
      failure = `${instance.url}: ${describeError(error)}`;
    }
  }
  throw new Error(failure);
}

/**
 * Serves the merged document at `/api/docs/openapi.json` and the Swagger UI at `/api/docs`, as the
 * all-in-one process does for its own routes. The gateway's own documented routes come from
 * @fastify/swagger; register this before them.
 */
export async function registerMergedDocs(
  app: DemaApp,
  pools: Partial<Record<ServiceName, UpstreamPool>>,
  info: OpenApiDocument['info'],
  log: Logger,
  ttlMs?: number,
): Promise<MergedOpenApi> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, refreshCookie: { type: 'apiKey', in: 'cookie', name: 'dema_refresh' } } },
    },
    // Shared schemas under their $id, as every service's document names them.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  const merged = new MergedOpenApi(pools, info, log, () => app.swagger() as Partial<OpenApiDocument>, ttlMs);
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { deepLinking: true },
    uiHooks: {
      // transformSpecification is synchronous: have the document loaded before it runs.
      onRequest: async (request: { url: string }) => {
        if (request.url.startsWith('/api/docs/json') || request.url.startsWith('/api/docs/yaml')) await merged.document();
      },
    },
    transformSpecificationClone: false,
    transformSpecification: () => merged.current() as never,
  });
  app.get(documentPath, { schema: { hide: true } }, async () => merged.document());
  return merged;
}
