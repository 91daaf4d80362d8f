import { GraphQLObjectType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import type { GraphqlContext } from '../context.ts';
import { catalogMutations, catalogQueries } from './catalog.ts';
import { identityMutations, identityQueries } from './identity.ts';
import { orderMutations, orderQueries } from './orders.ts';

export interface SchemaOptions {
  /** The `Subscription` root type, when the process serves subscriptions. */
  subscription?: GraphQLObjectType;
}

/** Dema's GraphQL schema, code first: the seed's types, and REST's operations as queries and mutations. */
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
    ...(options.subscription ? { subscription: options.subscription } : {}),
  });
}

/** The SDL of `schema` as checked in (`schema.graphql`): sorted, so that moving code does not change it. */
export function printSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
