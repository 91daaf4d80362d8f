import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, describeFailure } from './problem.ts';

const problemResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });

test('a problem names its fields without the body. prefix', async () => {
  const error = await ApiError.from(
    problemResponse(400, {
      type: '/api/docs/problems#validation_failed',
      title: 'Bad Request',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'body.price must be >= 0',
      invalidParams: [
        { name: 'body.price', reason: 'must be >= 0' },
        { name: 'body.price', reason: 'must be a multiple of 0.01' },
        { name: 'query.limit', reason: 'must be <= 100' },
      ],
    }),
  );
  assert.equal(error.status, 400);
  assert.equal(error.code, 'VALIDATION_FAILED');
  assert.deepEqual(error.fieldErrors(), { price: 'must be >= 0', limit: 'must be <= 100' });
  assert.equal(error.message, 'body.price must be >= 0');
});

test('a non-JSON failure still gives a message a person can act on', async () => {
  const error = await ApiError.from(new Response('<html>Bad gateway</html>', { status: 502 }));
  assert.equal(error.problem, null);
  assert.match(error.message, /temporarily unavailable/);
  assert.match(ApiError.unreachable().message, /could not reach the store/);
});

test('each failure class reads differently', () => {
  assert.match(describeFailure(429, null), /Too many attempts/);
  assert.match(describeFailure(401, null), /sign in/);
  assert.match(describeFailure(403, null), /do not have access/);
  assert.match(describeFailure(404, null), /could not be found/);
  assert.match(describeFailure(500, null), /HTTP 500/);
});
