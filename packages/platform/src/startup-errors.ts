import { ConfigError, type DemaConfig, type RedisSettings } from './config.ts';

/**
 * A start that cannot succeed for a reason the operator can fix (a busy port, a database that is not
 * there, refused credentials): its message is one line that says why, naming the variable, and how
 * to fix it. Entry points print it alone, without a stack trace.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

type SystemError = Error & { code?: unknown; syscall?: unknown; port?: unknown; address?: unknown; hostname?: unknown };

function codeOf(error: unknown): string | undefined {
  const code = (error as SystemError | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `host:port` of a URL, never its user or password. */
function serverOf(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || defaultPort}`;
  } catch {
    return 'the configured server';
  }
}

/**
 * The one line for a PostgreSQL connection that failed at start, `variable` being the setting that
 * gave `url` (DATABASE_URL, ORDER_DATABASE_URL, …); undefined for a failure that is not about where
 * the database is or who may use it (a bug, which keeps its stack).
 */
export function postgresStartupError(error: unknown, variable: string, url: string): StartupError | undefined {
  const server = `PostgreSQL at ${serverOf(url, 5432)}`;
  const code = codeOf(error);
  const message = messageOf(error);
  let user = '';
  let database = '';
  try {
    const parsed = new URL(url);
    user = decodeURIComponent(parsed.username);
    database = decodeURIComponent(parsed.pathname.slice(1)) || user;
  } catch {
    // serverOf said so already
  }
  if (code === 'ECONNREFUSED')
    return new StartupError(`${server} refused the connection (${variable}): start PostgreSQL, or set ${variable} to a server that runs`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new StartupError(`${server}: no such host (${variable}): correct the host name in ${variable}`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /connection timeout/i.test(message)) {
    return new StartupError(`${server} did not answer (${variable}): check that it runs and that this machine can reach it, or correct ${variable}`);
  }
  // 28P01 wrong password, 28000 no such role or no pg_hba.conf entry; a server asking for a password
  // that the URL lacks fails in the client (SCRAM / SASL) before the server answers.
  if (code === '28P01' || code === '28000' || /SASL|SCRAM|password/i.test(message)) {
    return new StartupError(
      `${server} refused ${user ? `user "${user}"` : 'the login'} (${variable}): ${message}; correct the user and password in ${variable}`,
    );
  }
  if (code === '3D000') {
    return new StartupError(`${server} has no database "${database}" (${variable}): create it (createdb ${database}) or name an existing one in ${variable}`);
  }
  return undefined;
}

/** Whether Redis refused the password (a wrong one, or none where one is needed): no retry fixes that. */
export function isRedisAuthFailure(error: unknown): boolean {
  return /^(WRONGPASS|NOAUTH)\b|invalid password|invalid username-password/i.test(messageOf(error));
}

/** The one line for Redis refusing the credentials at start; undefined for any other failure. */
export function redisStartupError(error: unknown, settings: Pick<RedisSettings, 'host' | 'port' | 'password'>): StartupError | undefined {
  if (!isRedisAuthFailure(error)) return undefined;
  const server = `Redis at ${settings.host}:${settings.port}`;
  return new StartupError(
    settings.password === undefined
      ? `${server} requires a password: set REDIS_PASSWORD`
      : `${server} refused the password in REDIS_PASSWORD: set the right one (or unset it when Redis has none)`,
  );
}

/**
 * Whether RabbitMQ turned the login away (403 ACCESS_REFUSED: user or password) or has no such
 * virtual host (530 NOT_ALLOWED): both are the URL's fault, and retrying does not mend them.
 */
export function isAmqpRefusal(error: unknown): boolean {
  return /ACCESS[-_]REFUSED|NOT[-_]ALLOWED/.test(messageOf(error));
}

/** The one line for RabbitMQ refusing the AMQP_URL's login or virtual host; undefined otherwise. */
export function amqpStartupError(error: unknown, url: string): StartupError | undefined {
  if (!isAmqpRefusal(error)) return undefined;
  const server = `RabbitMQ at ${serverOf(url, 5672)}`;
  let user = 'guest';
  let vhost = '/';
  try {
    const parsed = new URL(url);
    user = decodeURIComponent(parsed.username) || user;
    vhost = parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : vhost;
  } catch {
    // serverOf said so already
  }
  return /NOT[-_]ALLOWED/.test(messageOf(error))
    ? new StartupError(
        `${server} has no virtual host "${vhost}" for user "${user}" (AMQP_URL): create it, grant the user access, or correct the path of AMQP_URL`,
      )
    : new StartupError(`${server} refused user "${user}" (AMQP_URL): correct the user and password in AMQP_URL`);
}

/**
 * The one line for a listening socket that could not open: the port's variable is PORT or WEB_PORT
 * when `config` says which; undefined when `error` is not about listening.
 */
function describeListenFailure(error: unknown, config: DemaConfig | undefined): string | undefined {
  const { code, syscall, port, address } = (error ?? {}) as SystemError;
  if (syscall !== 'listen' && syscall !== 'bind') return undefined;
  const variable = config?.web.enabled && port === config.web.port ? 'WEB_PORT' : port === config?.port ? 'PORT' : undefined;
  const setting = variable ? ` (${variable})` : '';
  const choose = variable ? `choose another with ${variable}` : 'choose another';
  if (code === 'EADDRINUSE') return `Port ${port} is already in use${setting}: stop the process listening there, or ${choose}`;
  if (code === 'EACCES') return `Port ${port} needs privileges this process lacks${setting}: ${choose} above 1023`;
  if (code === 'EADDRNOTAVAIL') return `${String(address)} is not an address of this machine (HOST): set HOST to one of its addresses, or 0.0.0.0 for all`;
  return undefined;
}

/**
 * What to tell an operator about a start that failed: one line (or one per bad variable, for a
 * configuration) when the cause is known; undefined for anything else, a bug, which keeps its stack.
 */
export function describeStartupFailure(error: unknown, config?: DemaConfig): string | undefined {
  if (error instanceof StartupError || error instanceof ConfigError) return error.message;
  return describeListenFailure(error, config);
}

/**
 * Awaits a start; when it fails for a known reason, prints why and how to fix it on stderr, without
 * a stack trace, and ends the process with exit code 1. Any other failure is thrown on, with its
 * stack, so that a bug stays debuggable.
 */
export async function exitOnStartupFailure<T>(starting: Promise<T>, config?: DemaConfig): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    const line = describeStartupFailure(error, config);
    if (line === undefined) throw error;
    process.stderr.write(`${line}\n`);
    process.exit(1);
  }
}
