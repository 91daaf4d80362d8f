import { defaultAnalyticsRangeDays, ErrorCode, maxAnalyticsRangeDays, type InvalidParam } from '@dema/contracts';
import { badRequest } from '@dema/platform';

/** A range of whole UTC days, inclusive, and the instants that bound it (`end` exclusive). */
export interface DayRange {
  from: string;
  to: string;
  /** Midnight UTC starting `from`. */
  start: string;
  /** Midnight UTC after `to`. */
  end: string;
}

const dayMs = 86_400_000;

/**
 * Resolves a query's optional `from`/`to` (YYYY-MM-DD, already format-checked) into a range:
 * `to` defaults to today (UTC), `from` to the 30 days ending on `to`. Throws a 400 problem naming
 * the field when `from` is after `to` or the range is longer than `maxAnalyticsRangeDays`.
 */
export function resolveDayRange(query: { from?: string; to?: string }, today: Date = new Date()): DayRange {
  const to = query.to ?? today.toISOString().slice(0, 10);
  const toMs = dayStart(to);
  const from = query.from ?? new Date(toMs - (defaultAnalyticsRangeDays - 1) * dayMs).toISOString().slice(0, 10);
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
  return { from, to, start: new Date(fromMs).toISOString(), end: new Date(toMs + dayMs).toISOString() };
}

function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}
