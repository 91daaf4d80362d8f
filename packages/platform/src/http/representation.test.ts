import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compress, encodeRepresentation, preferredCoding, type Compressor, Representations } from './representation.ts';

const json = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `Product ${i}`, description: 'line one\\nline two' })) });

describe('cached representations', () => {
  test('decode gives back the plain bytes and compressed bytes that decompress to them', async () => {
    const representation = new Representations().decode(await encodeRepresentation(json, compress));
    assert.equal(representation.identity.toString(), json);
    assert.deepEqual(brotliDecompressSync(representation.br!), representation.identity);
    assert.deepEqual(gunzipSync(representation.gzip!), representation.identity);
  });

  test('the tag follows the content, and a known tag is not decoded again', async () => {
    const calls: string[] = [];
    const counting: Compressor = (coding, bytes) => {
      calls.push(coding);
      return compress(coding, bytes);
    };
    const representations = new Representations();
    const text = await encodeRepresentation(json, counting);
    assert.deepEqual(calls.sort(), ['br', 'gzip']);
    const first = representations.decode(text);
    assert.equal(representations.decode(`${text}`), first);
    const other = representations.decode(await encodeRepresentation(json.replace('Product 1', 'Product one'), counting));
    assert.notEqual(other.tag, first.tag);
  });

  test('without a compressor only the plain bytes are kept, and every client gets them', async () => {
    const representation = new Representations().decode(await encodeRepresentation(json, null));
    assert.equal(representation.br, undefined);
    assert.equal(representation.gzip, undefined);
    assert.equal(preferredCoding('br, gzip', representation), 'identity');
  });

  test('brotli wins a tie, q-values decide otherwise, and q=0 refuses a coding', async () => {
    const representation = new Representations().decode(await encodeRepresentation(json, compress));
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'identity'],
      ['', 'identity'],
      ['gzip, deflate, br', 'br'],
      ['br;q=0.5, gzip', 'gzip'],
      ['gzip;q=0.8, br;q=0.9', 'br'],
      ['br;q=0, gzip;q=0', 'identity'],
      ['*', 'br'],
      ['br;q=0, *', 'gzip'],
      ['x-gzip', 'gzip'],
      ['deflate, identity', 'identity'],
      ['BR', 'br'],
      ['br;q=nonsense, gzip', 'gzip'],
    ];
    for (const [header, coding] of cases) assert.equal(preferredCoding(header, representation), coding, String(header));
  });
});
