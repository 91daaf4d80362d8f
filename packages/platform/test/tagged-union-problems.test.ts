import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Type from 'typebox';
import { createHttpServer, createLogger, Metrics, type DemaApp } from '@dema/platform';

/**
 * A body with a union of objects told apart by a constant field (as a shipping rate by its `kind`)
 * fails in every branch when it is wrong; the problem names what is wrong in the branch the body
 * chose, not every other branch's fields.
 */
describe('problems of a union of objects told apart by a constant field', () => {
  let app: DemaApp;

  before(async () => {
    app = createHttpServer({
      log: createLogger('silent'),
      metrics: new Metrics(),
      authenticate: async () => ({ kind: 'anonymous' }),
      bodyLimit: 1024,
      service: 'test',
    });
    const rate = Type.Union([
      Type.Object({ kind: Type.Literal('flat'), amount: Type.Number({ minimum: 0 }) }, { additionalProperties: false }),
      Type.Object(
        { kind: Type.Literal('free_above'), amount: Type.Number({ minimum: 0 }), threshold: Type.Number({ exclusiveMinimum: 0 }) },
        { additionalProperties: false },
      ),
      Type.Object({ kind: Type.Literal('weight'), brackets: Type.Array(Type.Integer(), { minItems: 1 }) }, { additionalProperties: false }),
    ]);
    const body = Type.Object(
      {
        rate,
        note: Type.Optional(Type.Union([Type.String({ maxLength: 3 }), Type.Null()])),
        discount: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]+$' }), Type.Number({ exclusiveMinimum: 0 }), Type.Null()])),
        delta: Type.Optional(Type.Integer({ not: { const: 0 } })),
      },
      { additionalProperties: false },
    );
    app.post('/rates', { schema: { body } }, async () => ({ ok: true }));
    await app.ready();
  });
  after(() => app.close());

  const refusal = async (payload: unknown) => {
    const response = await app.inject({ method: 'POST', url: '/rates', payload: payload as object });
    assert.equal(response.statusCode, 400, response.body);
    return (response.json() as { invalidParams: Array<{ name: string; reason: string }> }).invalidParams;
  };

  test("a field of the chosen kind that breaks its rule is named alone, not the other kinds' fields", async () => {
    assert.deepEqual(await refusal({ rate: { kind: 'free_above', amount: 5, threshold: 0 } }), [{ name: 'body.rate.threshold', reason: 'must be > 0' }]);
    assert.deepEqual(await refusal({ rate: { kind: 'weight', brackets: [] } }), [{ name: 'body.rate.brackets', reason: 'must NOT have fewer than 1 items' }]);
  });

  test("a field missing from the chosen kind, or one of another kind's, is named alone", async () => {
    assert.deepEqual(await refusal({ rate: { kind: 'flat' } }), [{ name: 'body.rate.amount', reason: 'is required' }]);
    assert.deepEqual(await refusal({ rate: { kind: 'flat', amount: 1, threshold: 5 } }), [{ name: 'body.rate.threshold', reason: 'is not a known field' }]);
  });

  test('an unknown kind is named with the known ones; a missing kind is named alone', async () => {
    assert.deepEqual(await refusal({ rate: { kind: 'by_distance', amount: 1 } }), [
      { name: 'body.rate.kind', reason: 'must be one of "flat", "free_above", "weight"' },
    ]);
    assert.deepEqual(await refusal({ rate: { amount: 1 } }), [{ name: 'body.rate.kind', reason: 'is required' }]);
  });

  test('other unions are reported as before: a nullable field names its real rule', async () => {
    assert.deepEqual(await refusal({ rate: { kind: 'flat', amount: 1 }, note: 'long' }), [
      { name: 'body.note', reason: 'must NOT have more than 3 characters' },
    ]);
  });

  test("a union names the rule of the branch whose type the value has, not the other branches' types", async () => {
    const rate = { kind: 'flat', amount: 1 };
    assert.deepEqual(await refusal({ rate, discount: 0 }), [{ name: 'body.discount', reason: 'must be > 0' }]);
    assert.deepEqual(await refusal({ rate, discount: 'ten' }), [{ name: 'body.discount', reason: 'must match pattern "^[0-9]+$"' }]);
  });

  test('a value of a type no branch takes is named once, with every type it may have', async () => {
    assert.deepEqual(await refusal({ rate: { kind: 'flat', amount: 1 }, discount: true }), [
      { name: 'body.discount', reason: 'must be string, number or null' },
    ]);
  });

  test('a value a `not` refuses is named as refused, not as "must NOT be valid"', async () => {
    assert.deepEqual(await refusal({ rate: { kind: 'flat', amount: 1 }, delta: 0 }), [{ name: 'body.delta', reason: 'must not be 0' }]);
  });
});
