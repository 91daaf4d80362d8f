import { GraphQLObjectType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import type { GraphqlContext } from '../context.ts';
import { catalogMutations, catalogQueries } from './catalog.ts';
import { identityMutations, identityQueries } from './identity.ts';
import { orderMutations, orderQueries } from './orders.ts';
import { Subscription } from './subscriptions.ts';

export interface SchemaOptions {
  /** The `Subscription` root type; default `orderStatusChanged`'s. */
  subscription?: GraphQLObjectType;
}

/**
 * Dema's GraphQL schema, code first: the seed's types, and REST's operations as queries and mutations.
 * and the live order status as a subscription (served where the process has an event bus to follow).
 * Root fields are nullable: one that fails (an aliased login the throttle refuses) is null with its
 * error, and the others still run and answer.
 */
export function createSchema(options: SchemaOptions = {}): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, GraphqlContext>({
      name: 'Query',
      fields: { ...catalogQueries, ...identityQueries, ...orderQueries },
    }),
    mutation: new GraphQLObjectType<unknown, GraphqlContext>({
      name: 'Mutation',
      fields: { ...catalogMutations, ...orderMutations, ...identityMutations },
    }),
    subscription: options.subscription ?? Subscription,
  });
}

/** The SDL of `schema` as checked in (`schema.graphql`): sorted, so that moving code does not change it. */
export function printSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
