import { GraphQLList, GraphQLNonNull, type GraphQLNullableType } from 'graphql';

/** `T!` */
export const nonNull = <T extends GraphQLNullableType>(type: T) => new GraphQLNonNull(type);
/** `[T!]` */
export const listOf = <T extends GraphQLNullableType>(type: T) => new GraphQLList(new GraphQLNonNull(type));
/** An id or slug as a path segment. */
export const segment = (value: string) => encodeURIComponent(value);
