import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildSchema, isObjectType, type GraphQLObjectType } from 'graphql';
import { createSchema, printSdl, schemaFile } from '../src/index.ts';

/** The seed's two GraphQL types, as the design gives them. */
const seedSdl = `
scalar DateTime
type Category { id: ID! }
type Specification { name: String! }
type ProductVariant { id: ID! }
type User { id: ID! }
type OrderItem { name: String! }
enum OrderStatus { PENDING }

type Product {
  id: ID!
  name: String!
  description: String
  price: Float!
  stock: Int!
  category: Category!
  specifications: [Specification!]!
  variants: [ProductVariant!]
}

type Order {
  id: ID!
  user: User!
  items: [OrderItem!]!
  status: OrderStatus!
  total: Float!
  createdAt: DateTime!
  updatedAt: DateTime!
}

type Query { product: Product, order: Order }
`;

test('schema.graphql is the SDL the code prints (run npm run graphql:schema after changing the schema)', async () => {
  const checkedIn = await readFile(fileURLToPath(schemaFile), 'utf8');
  assert.equal(checkedIn, printSdl(createSchema()));
});

for (const typeName of ['Product', 'Order']) {
  test(`${typeName} has every field of the seed's ${typeName}, each with the seed's type and nullability`, () => {
    const seed = buildSchema(seedSdl).getType(typeName) as GraphQLObjectType;
    const ours = createSchema().getType(typeName);
    assert.ok(ours && isObjectType(ours), `${typeName} is an object type`);
    const fields = ours.getFields();
    for (const [name, field] of Object.entries(seed.getFields())) {
      assert.ok(fields[name], `${typeName}.${name} exists`);
      assert.equal(String(fields[name]!.type), String(field.type), `${typeName}.${name}`);
    }
  });
}

test("the types the seed's Product and Order name keep their names and the statuses are the seed's", () => {
  const schema = createSchema();
  for (const name of ['Category', 'Specification', 'ProductVariant', 'User', 'OrderItem', 'OrderStatus', 'DateTime']) assert.ok(schema.getType(name), name);
  const statuses = schema.getType('OrderStatus');
  assert.deepEqual(statuses && 'getValues' in statuses ? statuses.getValues().map((value) => value.name) : [], [
    'PENDING',
    'CONFIRMED',
    'SHIPPED',
    'DELIVERED',
    'CANCELLED',
    'RETURNED',
  ]);
  const specification = schema.getType('Specification') as GraphQLObjectType;
  assert.deepEqual(Object.fromEntries(Object.entries(specification.getFields()).map(([name, field]) => [name, String(field.type)])), {
    name: 'String!',
    value: 'String!',
  });
});
