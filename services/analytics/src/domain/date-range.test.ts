import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@dema/platform';
import { maxAnalyticsRangeDays } from '@dema/contracts';
import { resolveDayRange } from './date-range.ts';

const today = new Date('2024-05-20T15:30:00Z');

test('a range covers whole UTC days, `to` included', () => {
  assert.deepEqual(resolveDayRange({ from: '2024-05-01', to: '2024-05-31' }, today), {
    from: '2024-05-01',
    to: '2024-05-31',
    start: '2024-05-01T00:00:00.000Z',
    end: '2024-06-01T00:00:00.000Z',
  });
});

test('without dates the range is the 30 days ending today', () => {
  const range = resolveDayRange({}, today);
  assert.equal(range.to, '2024-05-20');
  assert.equal(range.from, '2024-04-21');
});

test('without `from` the range is the 30 days ending on `to`', () => {
  assert.equal(resolveDayRange({ to: '2024-03-01' }, today).from, '2024-02-01');
});

test('a single day is a valid range', () => {
  const range = resolveDayRange({ from: '2024-02-29', to: '2024-02-29' }, today);
  assert.equal(range.end, '2024-03-01T00:00:00.000Z');
});

test('the last day there is ends at year 10000, written as PostgreSQL reads it', () => {
  assert.equal(resolveDayRange({ from: '9999-12-30', to: '9999-12-31' }, today).end, '10000-01-01T00:00:00.000Z');
});

test('the default from stops at the first day there is', () => {
  assert.equal(resolveDayRange({ to: '0001-01-05' }, today).from, '0001-01-01');
});

function refused(query: { from?: string; to?: string }): AppError {
  try {
    resolveDayRange(query, today);
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('expected the range to be refused');
}

test('`from` after `to` is a 400 naming query.from', () => {
  const error = refused({ from: '2024-05-02', to: '2024-05-01' });
  assert.equal(error.status, 400);
  assert.deepEqual(
    error.invalidParams?.map((p) => p.name),
    ['query.from'],
  );
});

test('a range longer than the maximum is a 400 naming query.from', () => {
  const error = refused({ from: '2000-01-01', to: '2024-05-01' });
  assert.deepEqual(
    error.invalidParams?.map((p) => p.name),
    ['query.from'],
  );
  assert.match(error.invalidParams![0]!.reason, new RegExp(String(maxAnalyticsRangeDays)));
});

test('the longest range allowed is accepted, one day more is not', () => {
  const to = Date.parse('2024-05-01T00:00:00Z');
  const fromLongest = new Date(to - (maxAnalyticsRangeDays - 1) * 86_400_000).toISOString().slice(0, 10);
  const fromTooLong = new Date(to - maxAnalyticsRangeDays * 86_400_000).toISOString().slice(0, 10);
  assert.equal(resolveDayRange({ from: fromLongest, to: '2024-05-01' }, today).from, fromLongest);
  refused({ from: fromTooLong, to: '2024-05-01' });
});
