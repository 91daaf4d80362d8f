import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
} from 'graphql';
import type { Accepted as AcceptedDocument, Session as SessionDocument, TokenPair as TokenPairDocument, User as UserDocument } from '@dema/contracts';
import type { GraphqlContext } from '../context.ts';
import { DateTime } from './scalars.ts';
import { nonNull } from './wrappers.ts';

export const Role = new GraphQLEnumType({ name: 'Role', values: { CUSTOMER: { value: 'customer' }, ADMIN: { value: 'admin' } } });

export const User = new GraphQLObjectType<UserDocument>({
  name: 'User',
  fields: {
    id: { type: nonNull(GraphQLID) },
    email: { type: nonNull(GraphQLString) },
    name: { type: nonNull(GraphQLString) },
    role: { type: nonNull(Role) },
    disabled: { type: nonNull(GraphQLBoolean) },
    createdAt: { type: nonNull(DateTime) },
    updatedAt: { type: nonNull(DateTime) },
  },
});

export const TokenPair = new GraphQLObjectType<TokenPairDocument>({
  name: 'TokenPair',
  fields: {
    accessToken: { type: nonNull(GraphQLString), description: 'JWT, valid for expiresIn seconds' },
    refreshToken: { type: nonNull(GraphQLString), description: 'Single use: each refresh returns a new one' },
    tokenType: { type: nonNull(GraphQLString) },
    expiresIn: { type: nonNull(GraphQLInt) },
  },
});

export const Session = new GraphQLObjectType<SessionDocument>({
  name: 'Session',
  fields: { user: { type: nonNull(User) }, tokens: { type: nonNull(TokenPair) } },
});

const SignupAccepted = new GraphQLObjectType<AcceptedDocument>({
  name: 'SignupAccepted',
  description: 'The same answer for a new and an already-registered email; sign in next with the same credentials',
  fields: { message: { type: nonNull(GraphQLString) } },
});

const SignupInput = new GraphQLInputObjectType({
  name: 'SignupInput',
  fields: { email: { type: nonNull(GraphQLString) }, password: { type: nonNull(GraphQLString) }, name: { type: nonNull(GraphQLString) } },
});

export const identityQueries: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
  me: { type: User, description: 'The signed-in caller', resolve: (_root, _args, context) => context.rest.call('GET', '/api/users/me') },
};

export const identityMutations: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
  signup: {
    type: SignupAccepted,
    description: 'Asks for a customer account (answered alike whether or not the email is registered); then call login',
    args: { input: { type: nonNull(SignupInput) } },
    resolve: (_root, args: { input: Record<string, string> }, context) =>
      context.rest.call('POST', '/api/auth/signup', { body: args.input, fields: { body: 'input' } }),
  },
  login: {
    type: Session,
    description: "Each login counts against REST's login throttles and the edge's auth rate limit, aliased or not",
    args: { email: { type: nonNull(GraphQLString) }, password: { type: nonNull(GraphQLString) } },
    resolve: (_root, args: { email: string; password: string }, context) =>
      context.rest.call('POST', '/api/auth/login', { body: { email: args.email, password: args.password } }),
  },
  refresh: {
    type: TokenPair,
    args: { refreshToken: { type: nonNull(GraphQLString) } },
    resolve: (_root, args: { refreshToken: string }, context) => context.rest.call('POST', '/api/auth/refresh', { body: { refreshToken: args.refreshToken } }),
  },
  logout: {
    type: GraphQLBoolean,
    description: "Ends the caller's session now",
    resolve: async (_root, _args, context) => {
      await context.rest.call('POST', '/api/auth/logout');
      return true;
    },
  },
};
