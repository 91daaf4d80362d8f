import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, invisibleNameReason, problemContentType, problemType, visibleTextPattern, type InvalidParam, type Problem } from '@dema/contracts';
import { AppError, statusTitles } from './errors.ts';
import { formatReasons, noNulKeyword } from './request-validation.ts';

interface AjvIssue {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  /** The failing keyword's value and the value it failed on (`verbose`, as the HTTP kit's Ajv reports). */
  schema?: unknown;
  data?: unknown;
}

/** A named field and what is wrong with it, with what the summaries below need to know of the finding. */
interface Finding extends InvalidParam {
  /** `type` for "must be <type>" (its `types`), `repeated` for a query parameter given more than once. */
  kind: 'type' | 'repeated' | 'other';
  types?: string[];
}

const contextNames: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };
/** Fields one problem names at most: enough to fix a form, not a megabyte of echoed mistakes. */
const maxInvalidParams = 50;

/** Turns ajv's findings into named fields: `body.variants.0.stock`, `query.limit`. */
function invalidParams(context: string, issues: AjvIssue[]): InvalidParam[] {
  const prefix = contextNames[context] ?? context;
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const issue of chosenBranchesOnly(issues)) {
    // anyOf/oneOf wrap the useful message of their branches; the branch errors already say it.
    if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf' || issue.keyword === 'if') continue;
    const path = issue.instancePath.split('/').filter(Boolean).map(decodePointer);
    let reason = issue.message ?? 'is invalid';
    let kind: Finding['kind'] = 'other';
    let types: string[] | undefined;
    if (issue.keyword === 'required') {
      path.push(String(issue.params.missingProperty));
      reason = 'is required';
    } else if (issue.keyword === 'additionalProperties') {
      path.push(String(issue.params.additionalProperty));
      reason = 'is not a known field';
    } else if (issue.keyword === noNulKeyword) {
      reason = 'must not contain the NUL character (\\u0000)';
    } else if (issue.keyword === 'format' && typeof issue.params.format === 'string' && formatReasons[issue.params.format]) {
      reason = formatReasons[issue.params.format]!;
    } else if (issue.keyword === 'pattern' && issue.params.pattern === visibleTextPattern) {
      // Ajv would quote the pattern, a line of escapes that tells a person nothing.
      reason = invisibleNameReason;
    } else if (issue.keyword === 'propertyNames') {
      continue;
    } else if (issue.keyword === 'const' || issue.keyword === 'enum') {
      // `const` names one value, `enum` a list: both as a list, so a union of literals merges below.
      const allowed = issue.keyword === 'const' ? [issue.params.allowedValue] : issue.params.allowedValues;
      reason = `must be one of ${JSON.stringify(allowed)}`;
    } else if (issue.keyword === 'not') {
      reason = refusedValueReason(issue.schema);
    } else if (issue.keyword === 'type') {
      types = String(issue.params.type).split(',');
      // `?sort=price&sort=name` reaches validation as an array; its "must be string" reads as nonsense.
      if (context === 'querystring' && Array.isArray(issue.data) && !types.includes('array')) {
        kind = 'repeated';
        reason = `is given ${issue.data.length} times; give it once`;
      } else kind = 'type';
    }
    const name = [prefix, ...path].join('.');
    const key = `${name}|${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({ name, reason, kind, ...(types ? { types } : {}) });
  }
  return mergeConstAlternatives(summariseTypeMismatches(findings));
}

/** What a `not` keyword refuses, said as such ("must not be 0"), not as Ajv's "must NOT be valid". */
function refusedValueReason(schema: unknown): string {
  const refused = (schema ?? {}) as { const?: unknown; enum?: unknown };
  if ('const' in refused) return `must not be ${JSON.stringify(refused.const)}`;
  if (Array.isArray(refused.enum)) return `must not be any of ${refused.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  return 'is a value that is not allowed here';
}

/**
 * A union (a nullable field, a percent string or an amount) fails in each branch: the branches the
 * value's type does not fit each say "must be <type>", and only the one it fits says what is really
 * wrong ("must be > 0"). So, per field: a query parameter given more than once is named for that
 * alone; a value some branch's type fits is named for that branch's rule only; one no branch's type
 * fits is named once with every type it may have ("must be string, number or null").
 */
function summariseTypeMismatches(findings: Finding[]): InvalidParam[] {
  const byName = new Map<string, Finding[]>();
  for (const finding of findings) byName.set(finding.name, [...(byName.get(finding.name) ?? []), finding]);
  const summarised: InvalidParam[] = [];
  for (const [name, group] of byName) {
    const repeated = group.find((f) => f.kind === 'repeated');
    const typeMismatches = group.filter((f) => f.kind === 'type');
    const rest = group.filter((f) => f.kind !== 'type');
    if (repeated) summarised.push({ name, reason: repeated.reason });
    else if (rest.length > 0 || typeMismatches.length < 2) summarised.push(...(rest.length > 0 ? rest : group).map((f) => ({ name, reason: f.reason })));
    else summarised.push({ name, reason: `must be ${listed([...new Set(typeMismatches.flatMap((f) => f.types ?? []))])}` });
  }
  return summarised;
}

/** `a`, `a or b`, `a, b or c`. */
function listed(words: string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/**
 * A union of objects told apart by a constant field (a shipping rate's `kind`) fails in every branch,
 * and only the branch the value chose says what is wrong with it. So, per union: the issues of the
 * branches whose constant field the value does not match are dropped; when it matches none, only that
 * field is named (its alternatives merge below); when every branch misses the same required field (no
 * `kind` at all), only that field is named.
 */
function chosenBranchesOnly(issues: AjvIssue[]): AjvIssue[] {
  const branchOf = (issue: AjvIssue, union: string) => new RegExp(`^${escapeRegExp(union)}/(\\d+)/`).exec(issue.schemaPath)?.[1];
  const unions = new Set<string>();
  for (const issue of issues) for (const at of issue.schemaPath.matchAll(/\/anyOf\/\d+\//g)) unions.add(`${issue.schemaPath.slice(0, at.index)}/anyOf`);
  let kept = issues;
  for (const union of unions) {
    const branches = new Map<string, AjvIssue[]>();
    for (const issue of kept) {
      const branch = branchOf(issue, union);
      if (branch !== undefined) branches.set(branch, [...(branches.get(branch) ?? []), issue]);
    }
    const tagMiss = (issue: AjvIssue, branch: string) =>
      issue.keyword === 'const' && new RegExp(`^${escapeRegExp(union)}/${branch}/properties/[^/]+/const$`).test(issue.schemaPath);
    const missed = [...branches].filter(([branch, found]) => found.some((issue) => tagMiss(issue, branch))).map(([branch]) => branch);
    const missing = [...branches.values()].map((found) => new Set(found.filter((i) => i.keyword === 'required').map((i) => String(i.params.missingProperty))));
    const missingEverywhere = [...(missing[0] ?? [])].filter((property) => missing.every((m) => m.has(property)));
    let drop: (issue: AjvIssue, branch: string) => boolean = () => false;
    if (branches.size > 1 && missingEverywhere.length > 0) {
      drop = (issue) => !(issue.keyword === 'required' && missingEverywhere.includes(String(issue.params.missingProperty)));
    } else if (missed.length > 0 && missed.length < branches.size) {
      drop = (_issue, branch) => missed.includes(branch);
    } else if (missed.length > 0) {
      drop = (issue, branch) => !tagMiss(issue, branch);
    }
    kept = kept.filter((issue) => {
      const branch = branchOf(issue, union);
      return branch === undefined || !drop(issue, branch);
    });
  }
  return kept;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A union of literals fails once per literal ("must be one of ["newest"]", …): say it once.
function mergeConstAlternatives(params: InvalidParam[]): InvalidParam[] {
  const byName = new Map<string, InvalidParam[]>();
  for (const p of params) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const merged: InvalidParam[] = [];
  for (const [name, group] of byName) {
    const literals = group.flatMap((p) => {
      const m = /^must be one of (\[.*\])$/.exec(p.reason);
      return m ? (JSON.parse(m[1]!) as unknown[]) : [];
    });
    if (literals.length > 1 && literals.length === group.length)
      merged.push({ name, reason: `must be one of ${literals.map((l) => JSON.stringify(l)).join(', ')}` });
    else merged.push(...group);
  }
  return merged;
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** RFC 9457 problem details answering `request` (its target and id). */
export function problemOf(status: number, code: string, detail: string, request: { url: string; id: string }, params?: InvalidParam[]): Problem {
  return {
    type: problemType(code),
    title: statusTitles[status] ?? 'Error',
    status,
    detail,
    code,
    instance: request.url,
    requestId: request.id,
    ...(params && params.length > 0 ? { invalidParams: params } : {}),
  };
}

/** Maps anything thrown while answering a request to RFC 9457 problem details. */
export function toProblem(error: FastifyError | AppError | Error, request: FastifyRequest): Problem {
  const base = (status: number, code: string, detail: string, params?: InvalidParam[]): Problem => problemOf(status, code, detail, request, params);
  if (error instanceof AppError) return base(error.status, error.code, error.message, error.invalidParams);
  const fastifyError = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fastifyError.validation) {
    const all = invalidParams(fastifyError.validationContext ?? 'body', fastifyError.validation);
    const params = all.slice(0, maxInvalidParams);
    const more = all.length > params.length ? `; and ${all.length - params.length} more` : '';
    const detail = params.map((p) => `${p.name} ${p.reason}`).join('; ') + more || 'The request is invalid';
    return base(400, ErrorCode.VALIDATION_FAILED, detail, params);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return base(413, ErrorCode.BODY_TOO_LARGE, `The body exceeds the limit of ${request.routeOptions.bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      // A route that reads its own body (the catalog import's CSV) says what it takes instead of JSON.
      const accepted = request.routeOptions.config?.documentedBody?.contentType ?? 'application/json';
      return base(
        415,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Content-Type ${String(request.headers['content-type'] ?? '(none)')} is not accepted; send ${accepted}`,
      );
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return base(400, ErrorCode.MALFORMED_BODY, 'The body is empty but Content-Type says JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return base(400, ErrorCode.MALFORMED_BODY, `The body is not valid JSON: ${fastifyError.message}`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return base(414, ErrorCode.VALIDATION_FAILED, 'A path parameter is longer than 100 characters; no id or slug is');
    case 'FST_ERR_BAD_URL':
      return base(400, ErrorCode.VALIDATION_FAILED, 'The path is not valid percent-encoded UTF-8');
  }
  const dataError = databaseDataError(error);
  if (dataError) return base(400, ErrorCode.VALUE_OUT_OF_RANGE, dataError);
  const status = fastifyError.statusCode ?? 500;
  if (status === 400 && error instanceof SyntaxError) return base(400, ErrorCode.MALFORMED_BODY, `The body is not valid JSON: ${error.message}`);
  if (status >= 400 && status < 500) return base(status, codeForStatus(status), fastifyError.message);
  return base(500, ErrorCode.INTERNAL, 'An unexpected error occurred; the request id identifies it in the logs');
}

/**
 * What a PostgreSQL data exception (SQLSTATE class 22, from PostgreSQL or PGlite) says about the
 * request, or undefined for any other error. Validation bounds what it can, but a sum of bounded
 * values (a product's stock over its variants) can still leave INT, and such a value is the
 * client's, not a server fault: it must never page anyone as a 500. The database's own message
 * (SQL, column names) stays in the log.
 */
function databaseDataError(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; severity?: unknown; cause?: unknown } | undefined, hops = 0; e && hops < 3; e = e.cause as typeof e, hops++) {
    if (typeof e.code !== 'string' || typeof e.severity !== 'string' || !/^22[0-9A-Z]{3}$/.test(e.code)) continue;
    if (e.code === '22003') return 'A number is out of the range that can be stored (a stock total above 2,147,483,647, say)';
    if (e.code === '22021' || e.code === '22P05') return 'A text contains a character that cannot be stored';
    return 'A value cannot be stored as given';
  }
  return undefined;
}

function codeForStatus(status: number): string {
  if (status === 401) return ErrorCode.UNAUTHENTICATED;
  if (status === 403) return ErrorCode.FORBIDDEN;
  if (status === 404) return ErrorCode.NOT_FOUND;
  if (status === 405) return ErrorCode.METHOD_NOT_ALLOWED;
  if (status === 409) return ErrorCode.CONFLICT;
  if (status === 429) return ErrorCode.RATE_LIMITED;
  return ErrorCode.VALIDATION_FAILED;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type(problemContentType).send(problem);
}
