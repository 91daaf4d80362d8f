import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import mercurius, { type MercuriusOptions } from 'mercurius';
import { ErrorCode } from '@dema/contracts';
import { bodyLimits, replyWithProblem, type ApiTransport, type DemaApp, type GraphqlSettings, type Infrastructure, type ServiceModule } from '@dema/platform';
import { createLoaders, Rest, type GraphqlContext } from './context.ts';
import { invalidArgument, type ParsedOperations } from './argument-errors.ts';
import { graphqlErrorCodes, problemExtensions } from './errors.ts';
import { OrderStatusFeed } from './order-status-feed.ts';
import { createSchema } from './schema/index.ts';
import { registerAnonymousResponseCache } from './response-cache.ts';
import type { SubscriptionServices } from './schema/subscriptions.ts';
import { injectTransport } from './transport.ts';

const graphiqlPolicy =
  "default-src 'self'; script-src 'self' https://unpkg.com; style-src 'self' 'unsafe-inline' https://unpkg.com; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

/** The fixed abuse limits (docs/api.md#graphql); the cost limit and the time limit are settings. */
export const graphqlLimits = { depth: 10, aliases: 100, directives: 50 } as const;

export interface GraphqlModuleOptions {
  /** How resolvers reach REST; default `app.inject` on the app the module is mounted on. */
  transport?: ApiTransport;
  /** Wraps the transport (the given one or the embedded one): a test counts or slows the calls. */
  wrapTransport?: (transport: ApiTransport) => ApiTransport;
  /** Default `infra.config.graphql`. */
  settings?: Partial<GraphqlSettings>;
}

/**
 * The GraphQL API as a module of a process (name `graphql`): `/graphql` (GET and POST, and the
 * WebSocket for subscriptions when `infra.bus` is given), GraphiQL at `/graphiql` outside
 * production. Mounted on the all-in-one app or the cluster's gateway, under the same edge policies
 * as REST; every resolver calls REST through `options.transport`. With a bus, the module follows its
 * order status changes from creation (a feed of this process's own: every instance sees every
 * change) until `close`.
 */
export async function createGraphqlModule(
  infra: Pick<Infrastructure, 'config'> & Partial<Pick<Infrastructure, 'bus' | 'log' | 'metrics' | 'cache'>>,
  options: GraphqlModuleOptions = {},
): Promise<ServiceModule> {
  const settings = { ...infra.config.graphql, ...options.settings };
  const schema = createSchema();
  const orderStatus = infra.bus ? new OrderStatusFeed(infra.bus, infra.log ?? { warn: () => undefined }) : undefined;
  await orderStatus?.start();
  if (orderStatus) infra.metrics?.trackSubscriptions(() => orderStatus.size);
  return {
    name: 'graphql',
    schemas: [],
    routes: (app) =>
      registerGraphql(app, {
        schema,
        settings,
        transport: options.transport,
        wrapTransport: options.wrapTransport,
        orderStatus,
        responseCache: infra.cache ? { config: infra.config, cache: infra.cache } : undefined,
      }),
    start() {},
    async close() {
      await orderStatus?.close();
    },
  };
}

export interface RegisterOptions {
  schema: GraphQLSchema;
  settings: GraphqlSettings;
  transport?: ApiTransport;
  wrapTransport?: (transport: ApiTransport) => ApiTransport;
  /** Serves subscriptions over WebSocket at `/graphql`, fed by it. */
  orderStatus?: OrderStatusFeed;
  /** Where anonymous queries' answers are cached (`registerAnonymousResponseCache`); absent → not cached. */
  responseCache?: Pick<Infrastructure, 'config' | 'cache'>;
}

/** The validation rules every operation meets besides the spec's. */
export function limitRules(settings: Pick<GraphqlSettings, 'maxCost' | 'tools'>): ValidationRule[] {
  // graphql-armor throws its refusal (as a "Syntax Error") unless told otherwise: reported instead, it
  // is a validation error like any other, answered 400 with the rest of them.
  const report = {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
    ],
  };
  return [
    maxDepthRule({ n: graphqlLimits.depth, ...report }),
    maxAliasesRule({ n: graphqlLimits.aliases, ...report }),
    maxDirectivesRule({ n: graphqlLimits.directives, ...report }),
    costLimitRule({ maxCost: settings.maxCost, ...report }),
    ...(settings.tools ? [] : [NoSchemaIntrospectionCustomRule]),
  ] as ValidationRule[];
}

/** Over HTTP a subscription would have nothing to stream: it is refused as invalid there (400). */
export const subscriptionsOverWebSocket: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') {
      context.reportError(new GraphQLError('Subscriptions are served over WebSocket at /graphql (protocol graphql-transport-ws)', { nodes: [node] }));
    }
  },
});

/** Registers mercurius on `app` (an encapsulated scope): the one place its options are decided. */
export async function registerGraphql(app: DemaApp, options: RegisterOptions): Promise<void> {
  const base = options.transport ?? injectTransport(app);
  const transport = options.wrapTransport ? options.wrapTransport(base) : base;
  const { settings } = options;
  const subscriptions: SubscriptionServices | undefined = options.orderStatus && { feed: options.orderStatus, transport, timeoutMs: settings.timeoutMs };
  // Not REST: out of the OpenAPI document (and the permission matrix built from it).
  app.addHook('onRoute', (route) => {
    route.schema = route.schema ?? {};
    (route.schema as { hide?: boolean }).hide = true;
  });
  if (settings.tools) {
    // GraphiQL's page loads React and GraphiQL from unpkg; the edge's page policy allows this origin only.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (request.url.startsWith('/graphiql')) reply.header('content-security-policy', graphiqlPolicy);
      done(null, payload);
    });
  }
  // Before mercurius: its hooks go on the /graphql routes as they are added.
  if (options.responseCache) registerAnonymousResponseCache(app, options.responseCache);
  const mercuriusOptions: MercuriusOptions = {
    schema: options.schema,
    path: '/graphql',
    graphiql: settings.tools,
    validationRules: [...limitRules(settings), subscriptionsOverWebSocket],
    persistedQueryProvider: mercurius.persistedQueryDefaults.automatic(),
    additionalRouteOptions: { bodyLimit: bodyLimits.medium },
    context: (request, reply): GraphqlContext => {
      const headers: Record<string, string> = { 'x-request-id': request.id };
      for (const name of ['authorization', 'cookie'] as const) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const rest = new Rest(transport, { headers, clientIp: request.ip, principal: request.principal }, Date.now() + settings.timeoutMs, (cookies) => {
        const before = reply.getHeader('set-cookie');
        reply.header('set-cookie', [...(before === undefined ? [] : Array.isArray(before) ? before : [String(before)]), ...cookies]);
      });
      return { rest, principal: request.principal, loaders: createLoaders(rest, request.principal) };
    },
    errorFormatter: (execution, context) => formatErrors(execution, context as unknown as { reply?: { log: DemaApp['log'] } }),
    // What is not GraphQL's own (a refused token, a rate limit, a body too large) is answered as REST answers it.
    errorHandler: async (error, request, reply) => {
      if (!isGraphqlError(error)) {
        await replyWithProblem(error, request, reply);
        return;
      }
      const { statusCode, response } = formatErrors({ errors: [new GraphQLError(error.message, { originalError: error })] }, { reply });
      await reply.code(statusCode).send(response);
    },
    ...(subscriptions ? { subscription: { context: () => ({ subscriptions }) } } : {}),
  };
  await app.register(mercurius as never, mercuriusOptions as never);
  if (subscriptions) {
    // Mercurius validates nothing it receives over the WebSocket: the same rules and limits as over HTTP.
    const rules = [...specifiedRules, ...limitRules(settings)];
    app.graphql.addHook('preSubscriptionExecution', async (schema, document) => {
      const [first] = validate(schema, document, rules);
      if (first) throw refusal(first, graphqlErrorCodes.VALIDATION_FAILED, new Map());
    });
  }
}

/** Mercurius's own errors (parse, validation, persisted queries, a mutation over GET). */
function isGraphqlError(error: unknown): error is Error & { code: string; statusCode?: number; errors?: unknown[] } {
  const code = (error as { code?: unknown }).code;
  return error instanceof GraphQLError || (typeof code === 'string' && code.startsWith('MER_ERR'));
}

const persistedQueryCodes: Record<string, string> = {
  MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  MER_ERR_GQL_PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  MER_ERR_GQL_PERSISTED_QUERY_MISMATCH: 'PERSISTED_QUERY_MISMATCH',
  MER_ERR_METHOD_NOT_ALLOWED: ErrorCode.METHOD_NOT_ALLOWED,
};

/**
 * Every error with REST's `extensions` (`code`, `status`, and `field`/`invalidParams` when an
 * argument is at fault): a parse or validation failure (400, GRAPHQL_PARSE_FAILED /
 * GRAPHQL_VALIDATION_FAILED, the limits included; a bad argument value or variable named as the
 * argument), REST's problems as the resolvers threw them, and anything unforeseen as INTERNAL with
 * its details only in the log.
 */
export function formatErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  context: { reply?: { log: DemaApp['log'] } },
): { statusCode: number; response: ExecutionResult } {
  let statusCode = 200;
  const errors: GraphQLError[] = [];
  const parsed: ParsedOperations = new Map();
  for (const error of execution.errors) {
    const original = error.originalError as (Error & { code?: string; statusCode?: number; errors?: unknown[] }) | undefined;
    if (original?.code !== undefined && original.code in persistedQueryCodes) {
      statusCode = original.statusCode ?? 400;
      const message = original.code === 'MER_ERR_METHOD_NOT_ALLOWED' ? 'Only queries may be sent with GET; send mutations with POST' : error.message;
      errors.push(new GraphQLError(message, { extensions: problemExtensions(persistedQueryCodes[original.code]!, statusCode) }));
    } else if (original && Array.isArray(original.errors)) {
      // Mercurius gathers parse and validation errors in one.
      statusCode = 400;
      for (const inner of original.errors) {
        const graphql = inner instanceof GraphQLError ? inner : new GraphQLError(String((inner as Error).message ?? inner));
        const code = graphql.message.startsWith('Syntax Error') ? graphqlErrorCodes.PARSE_FAILED : graphqlErrorCodes.VALIDATION_FAILED;
        errors.push(refusal(graphql, code, parsed));
      }
    } else if (original === undefined || original instanceof GraphQLError) {
      const code = error.extensions.code ?? (original as GraphQLError | undefined)?.extensions.code;
      errors.push(code === undefined ? refusal(error, graphqlErrorCodes.VALIDATION_FAILED, parsed) : error);
      // GraphQL's own refusal of the request before anything ran (no operation name among several, an
      // unknown one): a bad request like a validation failure. Once the operation ran, it is 200 below.
      if (code === undefined) statusCode = 400;
    } else {
      context.reply?.log.error({ err: original }, 'GraphQL resolver failed');
      errors.push(
        new GraphQLError('An unexpected error occurred; the request id identifies it in the logs', {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          extensions: problemExtensions(ErrorCode.INTERNAL, 500),
        }),
      );
    }
  }
  if (execution.data) statusCode = 200;
  return { statusCode, response: { data: execution.data ?? null, errors } };
}

/**
 * GraphQL's own refusal of a request (nothing of it ran) as a 400 with `code`, and, when it is about
 * an argument (a literal of the wrong type, a variable that does not fit, one missing), that
 * argument in `field` and `invalidParams`, as REST names a bad field.
 */
function refusal(error: GraphQLError, code: string, parsed: ParsedOperations): GraphQLError {
  const argument = code === graphqlErrorCodes.VALIDATION_FAILED ? invalidArgument(error, parsed) : undefined;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, ...problemExtensions(code, 400, argument ? [argument] : undefined) },
  });
}
