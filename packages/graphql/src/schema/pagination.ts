import { GraphQLBoolean, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import { ErrorCode } from '@dema/contracts';
import { argumentError } from '../errors.ts';

/** The most items one page may have: REST's `limit` bound. */
export const maxPageSize = 100;

/** Relay's `PageInfo`. */
export const PageInfo = new GraphQLObjectType({
  name: 'PageInfo',
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    startCursor: { type: GraphQLString },
    endCursor: { type: GraphQLString },
  },
});

// Cursors are opaque to clients; under them is REST's offset of the item.
const cursorPrefix = 'offset:';
export const cursorAt = (offset: number): string => Buffer.from(`${cursorPrefix}${offset}`).toString('base64url');

/** The REST `limit` and `offset` that `first` items after `after` are. */
export function pageWindow(first: number, after: string | null | undefined): { limit: number; offset: number } {
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) {
    throw argumentError('first', `must be between 1 and ${maxPageSize}`, ErrorCode.VALUE_OUT_OF_RANGE);
  }
  if (after === null || after === undefined) return { limit: first, offset: 0 };
  const text = Buffer.from(after, 'base64url').toString();
  const offset = text.startsWith(cursorPrefix) ? Number(text.slice(cursorPrefix.length)) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset < 0) throw argumentError('after', 'is not a cursor this API gave');
  return { limit: first, offset: offset + 1 };
}

/** A REST page (`items`, `total`, `offset`) as a Relay connection's fields. */
export function connectionOf<T>(page: { items: T[]; total: number; offset: number }) {
  const { items, total, offset } = page;
  const edges = items.map((node, i) => ({ cursor: cursorAt(offset + i), node }));
  return {
    edges,
    totalCount: total,
    pageInfo: {
      hasNextPage: offset + items.length < total,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A query string of the defined values (arrays repeat their name). */
export function queryString(values: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null) search.append(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
