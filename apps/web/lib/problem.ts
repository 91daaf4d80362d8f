import type { Problem } from '@dema/contracts';

/**
 * An API answer that was not a success, carried as an error. `status` 0 means the API (or the web
 * server in front of it) could not be reached at all.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    message: string,
  ) {
    super(message);
  }

  /** The stable `code` of the problem, if the API sent one. */
  get code(): string | undefined {
    return this.problem?.code;
  }

  /** Field name (without the `body.` / `query.` prefix) → reason, for inline form errors. */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const param of this.problem?.invalidParams ?? []) {
      const field = param.name.replace(/^(body|query|params)\./, '');
      errors[field] ??= param.reason;
    }
    return errors;
  }

  /** Reads a failed response: problem+json when the API sent it, a plain message otherwise. */
  static async from(response: Response): Promise<ApiError> {
    let problem: Problem | null = null;
    try {
      const body = (await response.json()) as Partial<Problem>;
      if (body && typeof body === 'object' && typeof body.code === 'string') problem = body as Problem;
    } catch {
      // Not JSON: a proxy's HTML error page, for instance. The status still says enough.
    }
    return new ApiError(response.status, problem, describeFailure(response.status, problem));
  }

  static unreachable(): ApiError {
    return new ApiError(0, null, describeFailure(0, null));
  }
}

/** A sentence a shopper or merchant can act on, for a failed call. */
export function describeFailure(status: number, problem: Problem | null): string {
  if (status === 0) return 'We could not reach the store. Check your connection and try again.';
  if (status === 502 || status === 503 || status === 504) return 'The store is temporarily unavailable. Please try again in a moment.';
  if (status === 429) return problem?.detail ?? 'Too many attempts. Please wait a little and try again.';
  if (problem?.detail) return problem.detail;
  if (status === 401) return 'Please sign in to continue.';
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'That could not be found.';
  return problem?.title ?? `Something went wrong (HTTP ${status}).`;
}
