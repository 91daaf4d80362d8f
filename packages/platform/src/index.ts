export {
  loadConfig,
  ConfigError,
  serviceNames,
  type DemaConfig,
  type ServiceName,
  type RedisSettings,
  type RateLimitClass,
  type RateLimitRule,
  type GraphqlSettings,
  type StripeSettings,
  type WebhookSettings,
  type MailSettings,
} from './config.ts';
export { createLogger, type Logger, type LogFormat } from './logger.ts';
export { StartupError, describeStartupFailure, exitOnStartupFailure } from './startup-errors.ts';
export { Metrics } from './metrics.ts';
export type { Db, Queryable, QueryResult, Session, PoolStats, ReadFreshness, ReplicaReadOutcome } from './db/db.ts';
export { PgliteHost } from './db/pglite.ts';
export { PostgresDb } from './db/postgres.ts';
export { runMigrations, platformMigrations, type MigrationSource } from './db/migrate.ts';
export { Cache, type CacheOutcome } from './cache/cache.ts';
export { HealingRedis, cacheConnections, redisConfig } from './cache/redis.ts';
export type { EventBus, EventHandler, FeedHandler, StopFollowing, SubscribeOptions } from './bus/bus.ts';
export { matchesBinding } from './bus/bus.ts';
export { MemoryBus, EventDeliveryError } from './bus/memory-bus.ts';
export { DeadLetterRegistry, type DeadLetter, type DeadLetterSource } from './bus/dead-letters.ts';
export { RabbitMqBus, deadLetterExchange, attemptsHeader, errorHeader, type RabbitMqBusOptions } from './bus/rabbitmq-bus.ts';
export { OutboxRelay, appendToOutbox, createEvent } from './bus/outbox.ts';
export { handleOnceBatch } from './bus/consumer.ts';
export {
  auditEventOf,
  forwardedRequest,
  recordAudit,
  recordSystemAudit,
  runForRequest,
  systemAuditEventOf,
  type AuditedChange,
  type AuditedRequest,
} from './audit.ts';
export { BatchWorker, type BatchOutcome, type BatchWorkerOptions } from './batch-worker.ts';
export { PeriodicSweep, type PeriodicSweepOptions } from './db/periodic-sweep.ts';
export { handleInBatches, type BatchHandler, type BatchingOptions } from './bus/batching.ts';
export { createHttpServer, replyWithProblem, requestIdFrom, type DemaApp, type Authenticator, type RequestTaker } from './http/server.ts';
export { problemOf } from './http/problems.ts';
export {
  compress,
  encodeRepresentation,
  Representations,
  sendRepresentation,
  type Coding,
  type Compressor,
  type Representation,
} from './http/representation.ts';
export { parseJson, type ApiRequest, type ApiResponse, type ApiTransport } from './http/api-call.ts';
export { bodyLimits, maxJsonDepth, maxJsonValues, jsonShapeProblem, drainRequest } from './http/request-body.ts';
export { createAjv, compileRequestValidator, refusingNul } from './http/request-validation.ts';
export { listen, type ListenOptions } from './http/listen.ts';
export {
  AppError,
  badRequest,
  notFound,
  conflict,
  unprocessable,
  unprocessableContent,
  contentTooLarge,
  unavailable,
  internalError,
  unauthenticated,
  credentialsRefused,
  forbidden,
  tooManyRequests,
} from './http/errors.ts';
export { problemResponses, requiresToken } from './http/route-schemas.ts';
export { openApiOptions } from './http/docs.ts';
export { registerHealth, registerLiveness, startDraining, isDraining, type ReadinessCheck } from './http/health.ts';
export { SessionStore, type SessionStateSource } from './auth/session-store.ts';
export { RateLimiter, type RateLimitState } from './auth/rate-limiter.ts';
export { tokenAuthenticator, verifyAccessToken } from './auth/token-authenticator.ts';
export { createInfrastructure, type Infrastructure } from './infrastructure.ts';
export {
  buildApp,
  startProcess,
  runProcess,
  declareSchemas,
  loadConfigOrExit,
  closeOnSignals,
  type ServiceModule,
  type ServiceFactory,
  type ServiceFactories,
  type RunningProcess,
} from './service.ts';
export { readApplication, applicationMetrics, type ApplicationReading } from './application-metrics.ts';
export { readSystem, systemMetrics, cpuUsageBetween, registerSystemSeries, type SystemReading } from './system-metrics.ts';
