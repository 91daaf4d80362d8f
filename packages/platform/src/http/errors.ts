import { ErrorCode, type InvalidParam } from '@dema/contracts';

/**
 * An error a client caused or must know about, answered as problem+json with a stable `code`.
 * Anything else that escapes a handler is a 500 whose details stay in the log.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly invalidParams?: InvalidParam[],
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 400: the request itself is wrong; `invalidParams` names the fields when there are any. */
export const badRequest = (code: string, detail: string, invalidParams?: InvalidParam[]) => new AppError(400, code, detail, invalidParams);
export const notFound = (code: string, detail: string) => new AppError(404, code, detail);
export const conflict = (code: string, detail: string, invalidParams?: InvalidParam[], headers?: Record<string, string>) =>
  new AppError(409, code, detail, invalidParams, headers);
/** The body was well-formed but names something that cannot be used (422, naming the field). */
export const unprocessable = (code: string, field: string, reason: string) => new AppError(422, code, `${field} ${reason}`, [{ name: field, reason }]);
/** 422 naming several fields at once, or none (`invalidParams` is the whole list). */
export const unprocessableContent = (code: string, detail: string, invalidParams?: InvalidParam[]) => new AppError(422, code, detail, invalidParams);
/** 413: the body is larger than the route takes. */
export const contentTooLarge = (detail: string) => new AppError(413, ErrorCode.BODY_TOO_LARGE, detail);
/**
 * 503 (or 502/504 at the edge): something the request needs cannot be reached right now. Nothing
 * was changed; `retryAfterSeconds` tells the client when to try again.
 */
export const unavailable = (detail: string, retryAfterSeconds?: number, status: 502 | 503 | 504 = 503) =>
  new AppError(status, ErrorCode.UNAVAILABLE, detail, undefined, retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) });
/** 500 whose details stay in the log. */
export const internalError = () => new AppError(500, ErrorCode.INTERNAL, 'An unexpected error occurred; the request id identifies it in the logs');
/**
 * 401 with the RFC 6750 challenge: `invalid_token` when a token was presented and refused, a bare
 * `Bearer` when none was.
 */
export const unauthenticated = (detail = 'Credentials are missing or invalid', tokenPresented = false) =>
  new AppError(401, ErrorCode.UNAUTHENTICATED, detail, undefined, {
    'www-authenticate': tokenPresented ? `Bearer error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` : 'Bearer',
  });
/**
 * 401 for credentials sent in the body (a password, a refresh token) that are refused: no bearer
 * challenge, since no bearer token was the problem.
 */
export const credentialsRefused = (code: string, detail: string) => new AppError(401, code, detail);
export const forbidden = (detail: string) => new AppError(403, ErrorCode.FORBIDDEN, detail);
/** 429 with Retry-After; `headers` adds more (the edge's RateLimit fields). */
export const tooManyRequests = (detail: string, retryAfterSeconds: number, headers: Record<string, string> = {}) =>
  new AppError(429, ErrorCode.RATE_LIMITED, detail, undefined, { ...headers, 'retry-after': String(retryAfterSeconds) });

/** The HTTP status titles used in problem bodies. */
export const statusTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
