import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
} from 'graphql';
import {
  ErrorCode,
  type Category as CategoryDocument,
  type Product as ProductDocument,
  type ProductPage,
  type ProductVariant as VariantDocument,
  type StockLevel as StockLevelDocument,
} from '@dema/contracts';
import type { GraphqlContext } from '../context.ts';
import { graphqlError } from '../errors.ts';
import { connectionOf, PageInfo, pageWindow, queryString } from './pagination.ts';
import { DateTime } from './scalars.ts';
import { listOf, nonNull, segment } from './wrappers.ts';

/** A category as REST gives it inline in a product (id, name, slug) or whole. */
type CategorySource = NonNullable<ProductDocument['category']> | CategoryDocument;
type Entry = { name: string; value: string };
const entries = (record: Record<string, string>): Entry[] => Object.entries(record).map(([name, value]) => ({ name, value }));
const record = (list: Entry[] | null | undefined): Record<string, string> | undefined =>
  list ? Object.fromEntries(list.map((entry) => [entry.name, entry.value])) : undefined;

/** A field a product's inline category lacks: read from the request's category loader (one REST call for all). */
function categoryDetail<K extends keyof CategoryDocument>(name: K) {
  return async (parent: CategorySource, _args: unknown, context: GraphqlContext): Promise<CategoryDocument[K]> =>
    name in parent ? (parent as CategoryDocument)[name] : (await context.loaders.category.load(parent.id))[name];
}

export const Category: GraphQLObjectType<CategorySource, GraphqlContext> = new GraphQLObjectType({
  name: 'Category',
  fields: {
    id: { type: nonNull(GraphQLID) },
    name: { type: nonNull(GraphQLString) },
    slug: { type: nonNull(GraphQLString) },
    description: { type: GraphQLString, resolve: categoryDetail('description') },
    productCount: { type: nonNull(GraphQLInt), resolve: categoryDetail('productCount') },
    createdAt: { type: nonNull(DateTime), resolve: categoryDetail('createdAt') },
    updatedAt: { type: nonNull(DateTime), resolve: categoryDetail('updatedAt') },
  },
});

/** One of a product's specifications (REST: a name → value record, in display order). */
export const Specification = new GraphQLObjectType<Entry>({
  name: 'Specification',
  fields: { name: { type: nonNull(GraphQLString) }, value: { type: nonNull(GraphQLString) } },
});

export const VariantOption = new GraphQLObjectType<Entry>({
  name: 'VariantOption',
  fields: { name: { type: nonNull(GraphQLString) }, value: { type: nonNull(GraphQLString) } },
});

export const ProductVariant = new GraphQLObjectType<VariantDocument>({
  name: 'ProductVariant',
  fields: {
    id: { type: nonNull(GraphQLID) },
    name: { type: nonNull(GraphQLString) },
    sku: { type: GraphQLString },
    price: { type: GraphQLFloat, description: "The variant's own price; null when it sells at the product's" },
    stock: { type: nonNull(GraphQLInt) },
    weightGrams: { type: GraphQLInt, description: 'Shipping weight in grams; null when it weighs what the product does' },
    options: { type: nonNull(listOf(VariantOption)), resolve: (variant) => entries(variant.options) },
  },
});

/** The seed's `Product`, exactly its fields and nullability, and a few more of REST's. */
export const Product = new GraphQLObjectType<ProductDocument, GraphqlContext>({
  name: 'Product',
  fields: {
    id: { type: nonNull(GraphQLID) },
    name: { type: nonNull(GraphQLString) },
    description: { type: GraphQLString },
    price: { type: nonNull(GraphQLFloat) },
    stock: { type: nonNull(GraphQLInt) },
    weightGrams: { type: nonNull(GraphQLInt), description: 'Shipping weight in grams' },
    category: {
      type: nonNull(Category),
      resolve: (product) => {
        if (product.category === null) throw graphqlError(ErrorCode.CATEGORY_NOT_FOUND, `Product ${product.id} has no category`, 404);
        return product.category;
      },
    },
    specifications: { type: nonNull(listOf(Specification)), resolve: (product) => entries(product.specifications) },
    variants: { type: listOf(ProductVariant) },
    images: { type: nonNull(listOf(GraphQLString)) },
    createdAt: { type: nonNull(DateTime) },
    updatedAt: { type: nonNull(DateTime) },
  },
});

export const ProductEdge = new GraphQLObjectType({
  name: 'ProductEdge',
  fields: { cursor: { type: nonNull(GraphQLString) }, node: { type: nonNull(Product) } },
});

export const ProductConnection = new GraphQLObjectType({
  name: 'ProductConnection',
  fields: {
    edges: { type: nonNull(listOf(ProductEdge)) },
    pageInfo: { type: nonNull(PageInfo) },
    totalCount: { type: nonNull(GraphQLInt), description: 'Products matching the filters, over all pages' },
  },
});

export const ProductSort = new GraphQLEnumType({
  name: 'ProductSort',
  values: {
    NEWEST: { value: 'newest' },
    PRICE_ASC: { value: 'price' },
    PRICE_DESC: { value: '-price' },
    NAME_ASC: { value: 'name' },
    NAME_DESC: { value: '-name' },
  },
});

export const StockLevel = new GraphQLObjectType<StockLevelDocument>({
  name: 'StockLevel',
  fields: {
    productId: { type: nonNull(GraphQLID) },
    variantId: { type: GraphQLID },
    oldStock: { type: nonNull(GraphQLInt), description: "The product's total before" },
    newStock: { type: nonNull(GraphQLInt), description: "The product's total after" },
    variantStock: { type: GraphQLInt },
  },
});

const SpecificationInput = new GraphQLInputObjectType({
  name: 'SpecificationInput',
  fields: { name: { type: nonNull(GraphQLString) }, value: { type: nonNull(GraphQLString) } },
});

const VariantInput = new GraphQLInputObjectType({
  name: 'ProductVariantInput',
  fields: {
    id: { type: GraphQLID, description: 'An existing variant to keep (its id); absent → a new one' },
    name: { type: nonNull(GraphQLString) },
    sku: { type: GraphQLString },
    price: { type: GraphQLFloat },
    stock: { type: nonNull(GraphQLInt) },
    weightGrams: { type: GraphQLInt, description: "Grams; null or omitted: the product's weight" },
    options: { type: listOf(SpecificationInput) },
  },
});

const productInputFields = (required: boolean) => ({
  name: { type: required ? nonNull(GraphQLString) : GraphQLString },
  description: { type: GraphQLString },
  price: { type: required ? nonNull(GraphQLFloat) : GraphQLFloat },
  stock: { type: GraphQLInt, description: required ? 'Required unless variants carry the stock' : undefined },
  weightGrams: { type: GraphQLInt, description: required ? 'Shipping weight in grams; omitted: 0' : 'Shipping weight in grams' },
  categoryId: { type: GraphQLID, description: required ? 'Omitted: the default category' : undefined },
  specifications: { type: listOf(SpecificationInput) },
  images: { type: listOf(GraphQLString) },
  variants: { type: listOf(VariantInput) },
});

export const CreateProductInput = new GraphQLInputObjectType({ name: 'CreateProductInput', fields: productInputFields(true) });
export const UpdateProductInput = new GraphQLInputObjectType({
  name: 'UpdateProductInput',
  description: 'Fields present replace the current ones; variants, images and specifications are replaced whole',
  fields: productInputFields(false),
});

interface ProductInput {
  specifications?: Entry[] | null;
  variants?: Array<{ options?: Entry[] | null }> | null;
  [field: string]: unknown;
}

/** The REST body of a product input: lists of name/value pairs become REST's records. */
function productBody(input: ProductInput): Record<string, unknown> {
  const body: Record<string, unknown> = { ...input };
  if (input.specifications !== undefined) body.specifications = record(input.specifications) ?? input.specifications;
  if (input.variants)
    body.variants = input.variants.map((variant) => ({
      ...variant,
      ...(variant.options !== undefined ? { options: record(variant.options) ?? variant.options } : {}),
    }));
  return body;
}

interface ProductsArgs {
  first: number;
  after?: string | null;
  category?: string | null;
  minPrice?: number | null;
  maxPrice?: number | null;
  inStock?: boolean | null;
  search?: string | null;
  sort: string;
}

const productsQueryFields = { rename: { 'query.limit': 'first', 'query.offset': 'after', 'query.q': 'search' } };

export const catalogQueries: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
  products: {
    type: ProductConnection,
    description: "REST's product list: the same filters, sort and search, as a Relay connection (first ≤ 100)",
    args: {
      first: { type: GraphQLInt, defaultValue: 20 },
      after: { type: GraphQLString },
      category: { type: GraphQLString, description: 'Category id or slug' },
      minPrice: { type: GraphQLFloat },
      maxPrice: { type: GraphQLFloat },
      inStock: { type: GraphQLBoolean },
      search: { type: GraphQLString, description: 'Words to find in name or description' },
      sort: { type: ProductSort, defaultValue: 'newest' },
    },
    resolve: async (_root, args: ProductsArgs, context) => {
      const { limit, offset } = pageWindow(args.first, args.after);
      const query = queryString({
        limit,
        offset,
        category: args.category,
        minPrice: args.minPrice,
        maxPrice: args.maxPrice,
        inStock: args.inStock,
        q: args.search,
        sort: args.sort,
      });
      return connectionOf(await context.rest.call<ProductPage>('GET', `/api/products${query}`, { fields: productsQueryFields }));
    },
  },
  product: {
    type: Product,
    args: { id: { type: nonNull(GraphQLID) } },
    resolve: (_root, args: { id: string }, context) => context.rest.call('GET', `/api/products/${segment(args.id, 'id')}`),
  },
  categories: {
    type: listOf(Category),
    resolve: async (_root, _args, context) => (await context.rest.call<{ items: CategoryDocument[] }>('GET', '/api/categories')).items,
  },
  category: {
    type: Category,
    args: { id: { type: nonNull(GraphQLID), description: 'Category id or slug' } },
    resolve: (_root, args: { id: string }, context) => context.rest.call('GET', `/api/categories/${segment(args.id, 'id')}`),
  },
};

export const catalogMutations: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
  createProduct: {
    type: Product,
    args: { input: { type: nonNull(CreateProductInput) } },
    resolve: (_root, args: { input: ProductInput }, context) =>
      context.rest.call('POST', '/api/products', { body: productBody(args.input), fields: { body: 'input' } }),
  },
  updateProduct: {
    type: Product,
    args: { id: { type: nonNull(GraphQLID) }, input: { type: nonNull(UpdateProductInput) } },
    resolve: (_root, args: { id: string; input: ProductInput }, context) =>
      context.rest.call('PUT', `/api/products/${segment(args.id, 'id')}`, { body: productBody(args.input), fields: { body: 'input' } }),
  },
  deleteProduct: {
    type: GraphQLID,
    description: 'The id of the product deleted',
    args: { id: { type: nonNull(GraphQLID) } },
    resolve: async (_root, args: { id: string }, context) => {
      await context.rest.call('DELETE', `/api/products/${segment(args.id, 'id')}`);
      return args.id;
    },
  },
  adjustStock: {
    type: StockLevel,
    description: 'Adds (delta > 0) or removes units atomically, never below zero',
    args: { productId: { type: nonNull(GraphQLID) }, delta: { type: nonNull(GraphQLInt) }, variantId: { type: GraphQLID } },
    resolve: (_root, args: { productId: string; delta: number; variantId?: string | null }, context) =>
      context.rest.call('POST', `/api/products/${segment(args.productId, 'productId')}/stock-adjustments`, {
        body: { delta: args.delta, ...(args.variantId != null ? { variantId: args.variantId } : {}) },
        fields: { rename: { 'path.id': 'productId' } },
      }),
  },
};
