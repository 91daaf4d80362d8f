import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { PublicCaching } from '@dema/contracts';

/** The content codings a cached answer is kept in besides its plain bytes. */
export type Coding = 'br' | 'gzip';

/** Compresses `bytes` in one coding; injectable so that tests and metrics can see every call. */
export type Compressor = (coding: Coding, bytes: Buffer) => Promise<Buffer>;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * Brotli at quality 10, gzip at level 9. Compressing happens once per cache fill, but a fill follows
 * every stock change (each order invalidates the catalog), and a fill slower than the gap between
 * two invalidations is born stale. On the first catalog page (19.3 KB, 2026-12-06): quality 10 gives
 * 5.1 KB in ~22 ms, 11 gives 5.0 KB in ~72 ms, 5 gives 5.7 KB in ~2.5 ms (gzip: 5.9 KB in ~1 ms).
 */
export const compress: Compressor = (coding, bytes) =>
  coding === 'br'
    ? brotli(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 10,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      })
    : gzipped(bytes, { level: 9 });

/**
 * One JSON answer in every coding a client may ask for, with its strong validator: the plain bytes,
 * and the brotli and gzip bytes when the answer was stored compressed (both or neither).
 */
export interface Representation {
  /** A hash of the plain bytes: equal tags, equal answers, on every instance. */
  tag: string;
  identity: Buffer;
  br?: Buffer | undefined;
  gzip?: Buffer | undefined;
}

/**
 * The text a cache keeps for `json`: its tag, its brotli and gzip bytes (base64) and the JSON
 * itself, one per line (JSON text has no raw line break, and it comes last anyway). Compressed here,
 * once per fill, so a cache hit on any instance sends bytes that are ready; `compressor` null stores
 * the plain JSON only (with the cache off, compressing would happen on every request).
 */
export async function encodeRepresentation(json: string, compressor: Compressor | null): Promise<string> {
  const plain = Buffer.from(json);
  const tag = createHash('sha256').update(plain).digest('base64url').slice(0, 27);
  if (!compressor) return `${tag}\n\n\n${json}`;
  const [br, gz] = await Promise.all([compressor('br', plain), compressor('gzip', plain)]);
  return `${tag}\n${br.toString('base64')}\n${gz.toString('base64')}\n${json}`;
}

/**
 * Turns the cache's texts (`encodeRepresentation`) back into bytes, remembering the result by tag:
 * a hit costs a lookup, not a base64 decoding, whether the text came from memory or from Redis.
 */
export class Representations {
  private readonly decoded: LRUCache<string, Representation>;

  constructor(maxBytes = 32 * 1024 * 1024) {
    this.decoded = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (r) => r.identity.length + (r.br?.length ?? 0) + (r.gzip?.length ?? 0) + 64,
    });
  }

  decode(text: string): Representation {
    const tagEnd = text.indexOf('\n');
    const tag = text.slice(0, tagEnd);
    const known = this.decoded.get(tag);
    if (known) return known;
    const brEnd = text.indexOf('\n', tagEnd + 1);
    const gzipEnd = text.indexOf('\n', brEnd + 1);
    const bytes = (from: number, to: number) => (to > from ? Buffer.from(text.slice(from, to), 'base64') : undefined);
    const representation: Representation = {
      tag,
      identity: Buffer.from(text.slice(gzipEnd + 1)),
      br: bytes(tagEnd + 1, brEnd),
      gzip: bytes(brEnd + 1, gzipEnd),
    };
    this.decoded.set(tag, representation);
    return representation;
  }
}

const codingPreferences = new Map<string, Coding | 'identity'>();
// Clients send a handful of distinct Accept-Encoding values; a flood of made-up ones only empties this.
const maxRememberedPreferences = 256;

/**
 * The coding to answer in: the one the client weighs highest among those the answer has, brotli
 * before gzip on a tie, identity when it accepts neither (RFC 9110 §12.5.3).
 */
export function preferredCoding(acceptEncoding: string | undefined, representation: Representation): Coding | 'identity' {
  if (!acceptEncoding) return 'identity';
  let preference = codingPreferences.get(acceptEncoding);
  if (preference === undefined) {
    preference = parsePreference(acceptEncoding);
    if (codingPreferences.size >= maxRememberedPreferences) codingPreferences.clear();
    codingPreferences.set(acceptEncoding, preference);
  }
  return representation.br ? preference : 'identity';
}

function parsePreference(acceptEncoding: string): Coding | 'identity' {
  const br = weight(acceptEncoding, 'br');
  const gz = weight(acceptEncoding, 'gzip');
  if (br > 0 && br >= gz) return 'br';
  return gz > 0 ? 'gzip' : 'identity';
}

/** The q-value `acceptEncoding` gives `coding` (or `*`), 0 when it names neither. */
function weight(acceptEncoding: string, coding: Coding): number {
  let wildcard = 0;
  for (const item of acceptEncoding.split(',')) {
    const [name = '', ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    const weighed = Number.isFinite(value) ? value : 0;
    if (name === coding || (coding === 'gzip' && name === 'x-gzip')) return weighed;
    if (name === '*') wildcard = weighed;
  }
  return wildcard;
}

const entityTag = (representation: Representation, coding: Coding | 'identity') =>
  coding === 'identity' ? `"${representation.tag}"` : `"${representation.tag}-${coding}"`;

/**
 * Whether `ifNoneMatch` names this answer in any coding (weak comparison, RFC 9110 §13.1.2): a
 * client holding the gzip bytes of an unchanged answer is told so even when it now prefers brotli.
 */
function notModified(ifNoneMatch: string | undefined, representation: Representation): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  for (const item of ifNoneMatch.split(',')) {
    const tag = item.trim().replace(/^W\//, '');
    if (tag === `"${representation.tag}"` || tag === `"${representation.tag}-br"` || tag === `"${representation.tag}-gzip"`) return true;
  }
  return false;
}

/**
 * Answers with `representation` as a CDN and a browser can keep it: for an anonymous caller
 * `Cache-Control: public` with `caching`'s lifetimes; for a signed-in one (an admin who just changed
 * a product, a customer) `private, no-cache`, so their browser asks again every time and gets a 304
 * while nothing changed. Either way a strong ETag per coding, `Vary: Accept-Encoding`, the bytes in
 * the coding the client prefers, and 304 with no body when If-None-Match names the answer.
 */
export function sendRepresentation(request: FastifyRequest, reply: FastifyReply, representation: Representation, caching: PublicCaching): FastifyReply {
  const coding = preferredCoding(request.headers['accept-encoding'], representation);
  reply.header(
    'cache-control',
    request.principal.kind === 'anonymous' ? `public, max-age=${caching.maxAge}, stale-while-revalidate=${caching.staleWhileRevalidate}` : 'private, no-cache',
  );
  reply.header('vary', 'accept-encoding');
  reply.header('etag', entityTag(representation, coding));
  if (notModified(request.headers['if-none-match'], representation)) return reply.code(304).send();
  if (coding !== 'identity') reply.header('content-encoding', coding);
  return reply.type('application/json; charset=utf-8').send(coding === 'identity' ? representation.identity : representation[coding]!);
}
