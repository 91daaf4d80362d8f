import { GraphQLList, GraphQLNonNull, type GraphQLNullableType } from 'graphql';
import { argumentError } from '../errors.ts';

/** `T!` */
export const nonNull = <T extends GraphQLNullableType>(type: T) => new GraphQLNonNull(type);
/** `[T!]` */
export const listOf = <T extends GraphQLNullableType>(type: T) => new GraphQLList(new GraphQLNonNull(type));

/**
 * An id or slug (the GraphQL argument `argument`) as a path segment. An empty one, `.` or `..`
 * would not stay one: the URL would end at the collection or climb out of it (`/api/cart/items/..`
 * is `DELETE /api/cart`), so they are refused naming the argument.
 */
export function segment(value: string, argument: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw argumentError(argument, 'must not be empty, "." or ".."');
  }
  return encodeURIComponent(value);
}
