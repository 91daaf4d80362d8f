import { defaultAnalyticsRangeDays, ErrorCode, maxAnalyticsRangeDays, type InvalidParam } from '@dema/contracts';
import { badRequest } from '@dema/platform';

/** A range of whole UTC days, inclusive, and the instants that bound it (`end` exclusive). */
export interface DayRange {
  from: string;
  to: string;
  /** Midnight UTC starting `from`. */
  start: string;
  /** Midnight UTC after `to` (`10000-01-01T00:00:00.000Z` after the last day there is). */
  end: string;
}

const dayMs = 86_400_000;
/** The first day a date of a request may name (`0001-01-01`, as the HTTP kit's `date` format bounds it). */
const firstDayMs = Date.parse('0001-01-01T00:00:00.000Z');

/**
 * Resolves a query's optional `from`/`to` (YYYY-MM-DD, already format-checked) into a range:
 * `to` defaults to today (UTC), `from` to the 30 days ending on `to`. Throws a 400 problem naming
 * the field when `from` is after `to` or the range is longer than `maxAnalyticsRangeDays`.
 */
export function resolveDayRange(query: { from?: string; to?: string }, today: Date = new Date()): DayRange {
  const to = query.to ?? today.toISOString().slice(0, 10);
  const toMs = dayStart(to);
  // The default range stops at the first day there is rather than naming a year 0 no database reads.
  const from = query.from ?? new Date(Math.max(firstDayMs, toMs - (defaultAnalyticsRangeDays - 1) * dayMs)).toISOString().slice(0, 10);
  const fromMs = dayStart(from);
  const problems: InvalidParam[] = [];
  if (fromMs > toMs) {
    problems.push({
      name: query.from === undefined ? 'query.to' : 'query.from',
      reason: `must not be after ${query.from === undefined ? `the default from (${from})` : `query.to (${to})`}`,
    });
  } else if ((toMs - fromMs) / dayMs + 1 > maxAnalyticsRangeDays) {
    problems.push({ name: query.from === undefined ? 'query.to' : 'query.from', reason: `makes a range longer than ${maxAnalyticsRangeDays} days` });
  }
  if (problems.length > 0) {
    throw badRequest(ErrorCode.VALIDATION_FAILED, problems.map((p) => `${p.name} ${p.reason}`).join('; '), problems);
  }
  return { from, to, start: new Date(fromMs).toISOString(), end: instantText(toMs + dayMs) };
}

/**
 * An instant as ISO 8601 text PostgreSQL reads: the day after 9999-12-31 is year 10000, which
 * `toISOString` writes `+010000-01-01…`, an expanded year PostgreSQL refuses (a 400 naming no field).
 */
function instantText(ms: number): string {
  return new Date(ms).toISOString().replace(/^\+0*(\d{5,})/, '$1');
}

function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}
