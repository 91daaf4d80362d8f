import type { Problem } from '@dema/contracts';

/**
 * A call to the API that did not succeed, as a value: the problem+json body's fields when the API sent
 * one. `status` 0 means the API could not be reached at all (no answer, not even an error page).
 */
export class DemaApiError extends Error {
  override name = 'DemaApiError';
  /** The HTTP status; 0 when nothing answered. */
  readonly status: number;
  /** The problem's stable code (`ORDER_NOT_FOUND`); `UNREACHABLE` for status 0, `HTTP_<status>` when the body was no problem. */
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** The whole problem+json body, when the API sent one. */
  readonly problem: Problem | undefined;
  /** The answer's Retry-After in seconds (429, 503), when it had one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, problem: Problem | undefined, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    const code = problem?.code ?? (status === 0 ? 'UNREACHABLE' : `HTTP_${status}`);
    super(problem?.detail ?? problem?.title ?? (status === 0 ? 'The API could not be reached' : `The API answered ${status}`), { cause: options.cause });
    this.status = status;
    this.code = code;
    this.title = problem?.title ?? (status === 0 ? 'Unreachable' : `HTTP ${status}`);
    this.detail = problem?.detail;
    this.problem = problem;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** Field name (without its `body.` / `query.` / `params.` prefix) → the first reason given for it, for inline form errors. */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const param of this.problem?.invalidParams ?? []) {
      const field = param.name.replace(/^(body|query|params|headers)\./, '');
      errors[field] ??= param.reason;
    }
    return errors;
  }

  /** The error for a failed answer whose body has already been read (`body` is its parsed JSON or its text). */
  static fromAnswer(response: Response, body: unknown): DemaApiError {
    return new DemaApiError(response.status, asProblem(body), { retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')) });
  }

  /** Reads a failed response's body and makes the error of it. */
  static async fromResponse(response: Response): Promise<DemaApiError> {
    let body: unknown;
    try {
      const text = await response.text();
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's HTML error page): the status still says enough.
    }
    return DemaApiError.fromAnswer(response, body);
  }

  /** Nothing answered: a network failure, a refused connection, a CORS refusal. */
  static unreachable(cause?: unknown): DemaApiError {
    return new DemaApiError(0, undefined, { cause });
  }
}

function asProblem(body: unknown): Problem | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const candidate = body as Partial<Problem>;
  return typeof candidate.code === 'string' && typeof candidate.status === 'number' ? (candidate as Problem) : undefined;
}

/**
 * Retry-After as seconds from now: either delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined
 * when absent or unreadable. A date in the past is 0.
 */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A sentence a shopper or merchant can act on, for any failure a call to the API ended with. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof DemaApiError)) return 'Something went wrong. Please try again.';
  const { status, problem } = error;
  if (status === 0) return 'We could not reach the store. Check your connection and try again.';
  if (status === 502 || status === 503 || status === 504) return 'The store is temporarily unavailable. Please try again in a moment.';
  if (status === 429) {
    const wait = error.retryAfterSeconds;
    return wait
      ? `Too many attempts. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`
      : 'Too many attempts. Please wait a little and try again.';
  }
  if (problem?.detail) return problem.detail;
  if (status === 401) return 'Please sign in to continue.';
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'That could not be found.';
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return problem?.title ?? `Something went wrong (HTTP ${status}).`;
}
