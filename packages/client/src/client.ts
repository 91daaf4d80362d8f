import createClient, { type Client, type ClientPathsWithMethod, type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import { sessionRoutes, type AuthStrategy, type AuthTransport } from './auth.ts';
import { DemaApiError } from './errors.ts';
import type { paths } from './generated/openapi.ts';
import { defaultRetry, mayRetry, retryDelayMs, type RetryOptions, type RetryPolicy } from './retry.ts';

export interface DemaClientOptions {
  /** Where the API is: `http://localhost:8080`, the gateway's URL. */
  baseUrl: string;
  /** Where credentials come from (`tokenAuth`, `cookieAuth`); none for public routes only. */
  auth?: AuthStrategy;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: (request: Request) => Promise<Response>;
  /** Retries of 429 and 503 answers (default 3 tries, at most 5 s apart); `false` sends each request once. */
  retry?: RetryOptions | false;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
// biome-ignore lint/complexity/noBannedTypes: `{} extends Pick<T, K>` is how an optional key is told apart (openapi-fetch's own test).
type RequiredKeysOfHelper<T> = { [K in keyof T]: {} extends Pick<T, K> ? never : K }[keyof T];
type RequiredKeysOf<T> = RequiredKeysOfHelper<T> extends undefined ? never : RequiredKeysOfHelper<T>;
// The second argument is optional exactly when the operation needs no path parameter and no body (as openapi-fetch has it).
type InitParam<Init> = RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }];

/** What a successful call of `method path` resolves to: the answer's body (undefined for a 204). */
export type DemaResponse<M extends Method, Path extends keyof paths, Init = unknown> = Exclude<
  FetchResponse<paths[Path][M] & Record<string | number, unknown>, Init, `${string}/${string}`>['data'],
  undefined
>;

/** One HTTP method of the API, typed from its OpenAPI document: resolves to the body, rejects with `DemaApiError`. */
export type DemaMethod<M extends Method> = <Path extends ClientPathsWithMethod<Client<paths>, M>, Init extends MaybeOptionalInit<paths[Path], M>>(
  path: Path,
  ...init: InitParam<Init>
) => Promise<DemaResponse<M, Path, Init>>;

/** A typed client of the Dema API. */
export interface DemaClient {
  GET: DemaMethod<'get'>;
  POST: DemaMethod<'post'>;
  PUT: DemaMethod<'put'>;
  PATCH: DemaMethod<'patch'>;
  DELETE: DemaMethod<'delete'>;
  readonly baseUrl: string;
  readonly auth: AuthStrategy | undefined;
  /** Sends a request through the client's pipeline (auth, refresh, retries), for what the document does not type. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The strategy's view of the API (see `AuthTransport`). */
  readonly transport: AuthTransport;
}

/**
 * A client of the Dema API at `baseUrl`. Each call resolves to the answer's body or rejects with a
 * `DemaApiError` (status 0 when nothing answered). Behind each call: the auth strategy's access token,
 * one refresh and resend on 401 (and on a 403 EMAIL_NOT_VERIFIED, whose token may predate the verification), and resends of 429/503 after their Retry-After — only for requests
 * that are safe to repeat (idempotent methods, or carrying an Idempotency-Key).
 */
export function createDemaClient(options: DemaClientOptions): DemaClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const auth = options.auth;
  const fetchOnce = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const policy: RetryPolicy | undefined = options.retry === false ? undefined : { ...defaultRetry, ...options.retry };

  const reach = async (request: Request): Promise<Response> => {
    try {
      return await fetchOnce(request);
    } catch (error) {
      // The caller's own abort is theirs to handle, not an unreachable API.
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw DemaApiError.unreachable(error);
    }
  };

  const authorized = (request: Request, token: string | undefined): Request => {
    const copy = request.clone();
    if (token !== undefined) copy.headers.set('authorization', `Bearer ${token}`);
    return copy;
  };

  const withAuth = async (request: Request): Promise<Response> => {
    if (!auth || sessionRoutes.has(`${request.method} ${new URL(request.url).pathname}`)) return reach(request);
    const token = await auth.accessToken();
    const response = await reach(authorized(request, token));
    if (!(response.status === 401 || (await predatesVerification(response))) || !(await auth.refresh(token, transport))) return response;
    await response.body?.cancel();
    return reach(authorized(request, await auth.accessToken()));
  };

  const send = async (request: Request): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      // A copy each time: a body can be read once, and this request may be sent again.
      const response = await withAuth(request.clone());
      const delay = policy && mayRetry(request) ? retryDelayMs(response, attempt, policy) : undefined;
      if (delay === undefined) return response;
      await response.body?.cancel();
      await sleep(delay, request.signal);
    }
  };

  const newRequest = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(options.headers);
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
    return new Request(`${baseUrl}${path}`, { ...init, headers, credentials: auth?.credentials ?? init.credentials });
  };

  const transport: AuthTransport = {
    async send<T>(method: string, path: string, { body, authorized: viaPipeline = false }: { body?: unknown; authorized?: boolean } = {}) {
      const request = newRequest(path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const response = viaPipeline ? await send(request) : await reach(request);
      if (!response.ok) throw await DemaApiError.fromResponse(response);
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };

  const raw = createClient<paths>({
    baseUrl,
    fetch: send,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(auth?.credentials ? { credentials: auth.credentials } : {}),
  });

  const typed = <M extends Method>(name: Uppercase<M>): DemaMethod<M> =>
    (async (path: string, init?: Record<string, unknown>) => {
      const call = raw[name] as (path: string, init?: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      const { data, error, response } = await call(path, init);
      if (!response.ok) throw DemaApiError.fromAnswer(response, error);
      return data;
    }) as unknown as DemaMethod<M>;

  return {
    GET: typed<'get'>('GET'),
    POST: typed<'post'>('POST'),
    PUT: typed<'put'>('PUT'),
    PATCH: typed<'patch'>('PATCH'),
    DELETE: typed<'delete'>('DELETE'),
    baseUrl,
    auth,
    fetch: (path, init) => send(newRequest(path, init)),
    transport,
  };
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * A 403 EMAIL_NOT_VERIFIED judged an access token issued before the customer opened the emailed link:
 * a refreshed token carries the verification, so the request is worth one resend (it changed nothing).
 */
async function predatesVerification(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  const problem = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { code?: unknown } | undefined;
  return problem?.code === 'EMAIL_NOT_VERIFIED';
}
