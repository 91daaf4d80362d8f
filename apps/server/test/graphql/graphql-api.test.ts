import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { defaultCategoryId, type ProductPage } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import type { UserService } from '@dema/user';
import { allInOneServices } from '../../src/services.ts';
import { startAllInOne, type AllInOne, type AllInOneServices } from '../support/all-in-one.ts';
import { failure, graphql, ok, type GraphqlAnswer } from './client.ts';

/**
 * Every query and mutation of /graphql on the all-in-one process as `npm start` mounts it, on each
 * target: what anonymous visitors, customers and admins get, and what bad input gets — REST's rules
 * and REST's problem codes, the bad field named as the GraphQL argument.
 */

const password = 'correct-horse-battery-staple';
// Generous budgets: these tests are about GraphQL's answers; the limits have their own tests.
const generous = { limit: 100_000, windowSeconds: 60 };
const policies = { rateLimits: { auth: generous, read: generous, write: generous } };

interface ProductNode {
  id: string;
  name: string;
  price: number;
  stock: number;
}
interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: T }>;
}

for (const target of testTargets()) {
  describe(`GraphQL queries and mutations (${target.name})`, () => {
    let dema: AllInOne<AllInOneServices>;
    let users: UserService;
    const tokens = {} as Record<'admin' | 'customer' | 'other', string>;
    const ids = {} as Record<'admin' | 'customer' | 'other', string>;
    const categories = {} as Record<'kitchen' | 'books', { id: string; slug: string }>;
    const products = {} as Record<'skillet' | 'knife' | 'guide' | 'shirt', string>;

    const gql = <T = Record<string, unknown>>(query: string, options: Parameters<typeof graphql>[2] = {}) => graphql<T>(dema.url, query, options);
    const rest = async (method: string, path: string, token?: string, body?: unknown) => {
      const response = await fetch(`${dema.url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
    };
    const created = async (path: string, body: unknown) => {
      const answer = await rest('POST', path, tokens.admin, body);
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body as { id: string; slug: string };
    };
    /** REST's problem code for the same request: what GraphQL must answer too. */
    const restCode = async (method: string, path: string, token: string | undefined, body?: unknown) => {
      const answer = await rest(method, path, token, body);
      assert.ok(answer.status >= 400, `REST refuses ${method} ${path}`);
      return answer.body!.code as string;
    };

    before(async () => {
      dema = await startAllInOne(target, allInOneServices(), policies);
      users = dema.services.user;
      for (const [name, role] of [
        ['admin', 'admin'],
        ['customer', 'customer'],
        ['other', 'customer'],
      ] as const) {
        const user = await users.identity.createUser(`${name}@graphql.dema.dev`, password, `The ${name}`, role);
        ids[name] = user.id;
        tokens[name] = (await users.identity.login(`${name}@graphql.dema.dev`, password, '127.0.0.1')).tokens.accessToken;
      }
      categories.kitchen = await created('/api/categories', { name: 'GQL Kitchen', description: 'Pots and pans' });
      categories.books = await created('/api/categories', { name: 'GQL Books' });
      products.skillet = (
        await created('/api/products', {
          name: 'Cast Iron Skillet',
          description: 'Pre-seasoned pan for searing',
          price: 39.9,
          stock: 12,
          categoryId: categories.kitchen.id,
          specifications: { Material: 'Cast iron', Weight: '2 kg' },
        })
      ).id;
      products.knife = (await created('/api/products', { name: 'Chef Knife', price: 89.5, stock: 0, categoryId: categories.kitchen.id })).id;
      products.guide = (await created('/api/products', { name: 'Field Guide to Birds', price: 19.99, stock: 40, categoryId: categories.books.id })).id;
      products.shirt = (
        await created('/api/products', {
          name: 'Linen Apron',
          price: 25,
          categoryId: categories.kitchen.id,
          variants: [
            { name: 'Small', stock: 3, options: { size: 'S' } },
            { name: 'Large', sku: 'APRON-L', price: 27, stock: 2, options: { size: 'L' } },
          ],
        })
      ).id;
    });
    after(() => dema?.dispose());

    const productsQuery = `query($first: Int, $after: String, $category: String, $minPrice: Float, $maxPrice: Float, $inStock: Boolean, $search: String, $sort: ProductSort) {
      products(first: $first, after: $after, category: $category, minPrice: $minPrice, maxPrice: $maxPrice, inStock: $inStock, search: $search, sort: $sort) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id name price stock } }
      }
    }`;
    const listProducts = async (variables: Record<string, unknown>) =>
      ok(await gql<{ products: Connection<ProductNode> }>(productsQuery, { variables })).products;

    test("products: anonymous visitors get REST's list, with its filters, search and sort", async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{}, ''],
        [{ category: categories.kitchen.slug, sort: 'PRICE_ASC' }, `?category=${categories.kitchen.slug}&sort=price`],
        [{ category: categories.books.id }, `?category=${categories.books.id}`],
        [{ minPrice: 20, maxPrice: 90, sort: 'PRICE_DESC' }, '?minPrice=20&maxPrice=90&sort=-price'],
        [{ inStock: false }, '?inStock=false'],
        [{ search: 'skill' }, '?q=skill'],
        [{ sort: 'NAME_DESC' }, '?sort=-name'],
      ];
      for (const [variables, query] of cases) {
        const connection = await listProducts(variables);
        const page = (await rest('GET', `/api/products${query}`)).body as unknown as ProductPage;
        assert.deepEqual(
          connection.edges.map((edge) => edge.node.id),
          page.items.map((item) => item.id),
          JSON.stringify(variables),
        );
        assert.equal(connection.totalCount, page.total);
      }
      assert.deepEqual(
        (await listProducts({ inStock: false })).edges.map((edge) => edge.node.name),
        ['Chef Knife'],
      );
    });

    test('products: a Relay connection whose opaque cursors page through the list', async () => {
      const first = await listProducts({ first: 3, sort: 'NAME_ASC' });
      assert.deepEqual(
        first.edges.map((edge) => edge.node.name),
        ['Cast Iron Skillet', 'Chef Knife', 'Field Guide to Birds'],
      );
      assert.equal(first.totalCount, 4);
      assert.deepEqual(
        { ...first.pageInfo, startCursor: undefined, endCursor: undefined },
        { hasNextPage: true, hasPreviousPage: false, startCursor: undefined, endCursor: undefined },
      );
      assert.equal(first.pageInfo.endCursor, first.edges[2]!.cursor);
      const second = await listProducts({ first: 3, after: first.pageInfo.endCursor, sort: 'NAME_ASC' });
      assert.deepEqual(
        second.edges.map((edge) => edge.node.name),
        ['Linen Apron'],
      );
      assert.equal(second.pageInfo.hasNextPage, false);
      assert.equal(second.pageInfo.hasPreviousPage, true);
      const middle = await listProducts({ first: 1, after: first.edges[0]!.cursor, sort: 'NAME_ASC' });
      assert.deepEqual(
        middle.edges.map((edge) => edge.node.name),
        ['Chef Knife'],
      );
    });

    test('products: first above 100, a cursor not ours and a negative price are refused naming the argument', async () => {
      failure(await gql(productsQuery, { variables: { first: 101 } }), 'VALUE_OUT_OF_RANGE', 'first');
      failure(await gql(productsQuery, { variables: { first: 0 } }), 'VALUE_OUT_OF_RANGE', 'first');
      failure(await gql(productsQuery, { variables: { after: 'bm90LWEtY3Vyc29y' } }), 'VALIDATION_FAILED', 'after');
      failure(await gql(productsQuery, { variables: { minPrice: -1 } }), await restCode('GET', '/api/products?minPrice=-1', undefined), 'minPrice');
      failure(await gql(productsQuery, { variables: { search: '' } }), 'VALIDATION_FAILED', 'search');
    });

    test('a bad argument carries what a REST problem does: code, status and invalidParams naming the argument', async () => {
      /** The one error of `answer`, whose extensions must be exactly a 400 naming `name`. */
      const refused = (answer: GraphqlAnswer<unknown>, code: string, name: string, reason?: RegExp) => {
        const error = failure(answer, code, name);
        const { invalidParams, ...rest } = error.extensions;
        assert.deepEqual(rest, { code, status: 400, field: name }, JSON.stringify(error));
        assert.deepEqual(
          invalidParams?.map((p) => p.name),
          [name],
          JSON.stringify(error),
        );
        if (reason) assert.match(invalidParams![0]!.reason, reason);
      };
      // Refused by the resolvers before REST is asked.
      refused(await gql(productsQuery, { variables: { first: -5 } }), 'VALUE_OUT_OF_RANGE', 'first', /between 1 and 100/);
      refused(await gql(productsQuery, { variables: { after: 'bm90LWEtY3Vyc29y' } }), 'VALIDATION_FAILED', 'after');
      refused(await gql(productQuery, { variables: { id: '..' } }), 'VALIDATION_FAILED', 'id');
      const addToCart = 'mutation($id: ID!, $quantity: Int!) { addToCart(productId: $id, quantity: $quantity) { subtotal } }';
      refused(
        await gql(addToCart, { variables: { id: products.guide, quantity: -2 }, token: tokens.other }),
        'VALIDATION_FAILED',
        'quantity',
        /^must be >= 1$/,
      );
      // Refused by GraphQL itself, before anything runs: a variable or a literal that does not fit its type, one missing.
      for (const answer of [await gql(productsQuery, { variables: { minPrice: 'cheap' } }), await gql('{ products(minPrice: "cheap") { totalCount } }')]) {
        assert.equal(answer.status, 400);
        refused(answer, 'GRAPHQL_VALIDATION_FAILED', 'minPrice', /Float cannot represent/);
      }
      refused(await gql(addToCart, { variables: { id: products.guide }, token: tokens.other }), 'GRAPHQL_VALIDATION_FAILED', 'quantity', /^is required$/);
      refused(
        await gql(createProduct, { variables: { input: { ...newProduct(), variants: [{ name: 'One', stock: 'many' }] } }, token: tokens.admin }),
        'GRAPHQL_VALIDATION_FAILED',
        'input.variants.0.stock',
        /Int cannot represent/,
      );
      refused(await gql('{ product { id } }'), 'GRAPHQL_VALIDATION_FAILED', 'id', /^is required$/);
    });

    const productQuery = `query($id: ID!) { product(id: $id) {
      id name description price stock images createdAt updatedAt
      category { id name slug description productCount createdAt }
      specifications { name value }
      variants { id name sku price stock options { name value } }
    } }`;

    test('product: the seed fields, its category in full, specifications as a list, variants', async () => {
      const { product } = ok(await gql<{ product: Record<string, unknown> }>(productQuery, { variables: { id: products.skillet } }));
      assert.equal(product.name, 'Cast Iron Skillet');
      assert.equal(product.description, 'Pre-seasoned pan for searing');
      assert.equal(product.price, 39.9);
      assert.equal(product.stock, 12);
      assert.deepEqual(product.variants, []);
      assert.deepEqual(product.specifications, [
        { name: 'Material', value: 'Cast iron' },
        { name: 'Weight', value: '2 kg' },
      ]);
      const category = product.category as Record<string, unknown>;
      assert.deepEqual(
        { ...category, createdAt: undefined },
        {
          id: categories.kitchen.id,
          name: 'GQL Kitchen',
          slug: categories.kitchen.slug,
          description: 'Pots and pans',
          productCount: 3,
          createdAt: undefined,
        },
      );
      const apron = ok(
        await gql<{ product: { stock: number; variants: Array<Record<string, unknown>> } }>(productQuery, { variables: { id: products.shirt } }),
      ).product;
      assert.equal(apron.stock, 5);
      assert.deepEqual(
        apron.variants.map(({ id: _id, ...variant }) => variant),
        [
          { name: 'Small', sku: null, price: null, stock: 3, options: [{ name: 'size', value: 'S' }] },
          { name: 'Large', sku: 'APRON-L', price: 27, stock: 2, options: [{ name: 'size', value: 'L' }] },
        ],
      );
    });

    test('product: an unknown id is PRODUCT_NOT_FOUND, one that is not a uuid names id', async () => {
      const missing = await gql<{ product: unknown }>(productQuery, { variables: { id: randomUUID() } });
      failure(missing, 'PRODUCT_NOT_FOUND');
      assert.deepEqual(missing.data, { product: null });
      failure(await gql(productQuery, { variables: { id: 'skillet' } }), 'VALIDATION_FAILED', 'id');
    });

    test('categories and category (by id or slug) with their product counts; an unknown one is CATEGORY_NOT_FOUND', async () => {
      const { categories: list } = ok(await gql<{ categories: Array<{ name: string; productCount: number }> }>('{ categories { name productCount } }'));
      assert.deepEqual(
        list.map((c) => [c.name, c.productCount]),
        [
          ['GQL Books', 1],
          ['GQL Kitchen', 3],
          // Every shop has the default category, empty here: every product of this test names its own.
          ['Uncategorized', 0],
        ],
      );
      for (const key of [categories.books.id, categories.books.slug]) {
        const { category } = ok(
          await gql<{ category: { id: string; description: string | null } }>('query($id: ID!) { category(id: $id) { id description } }', {
            variables: { id: key },
          }),
        );
        assert.deepEqual(category, { id: categories.books.id, description: null });
      }
      failure(await gql('{ category(id: "no-such-category") { id } }'), 'CATEGORY_NOT_FOUND');
    });

    test('me: anonymous is UNAUTHENTICATED; a customer gets their own account', async () => {
      failure(await gql('{ me { id } }'), 'UNAUTHENTICATED');
      assert.deepEqual(ok(await gql('{ me { id email role } }', { token: tokens.customer })).me, {
        id: ids.customer,
        email: 'customer@graphql.dema.dev',
        role: 'CUSTOMER',
      });
    });

    const createProduct = `mutation($input: CreateProductInput!) { createProduct(input: $input) {
      id name price stock category { name } specifications { name value } variants { name stock options { name value } }
    } }`;
    const newProduct = () => ({ name: `Wok ${randomUUID().slice(0, 8)}`, price: 45, stock: 4, categoryId: categories.kitchen.id });

    test('product mutations are for admins: anonymous is UNAUTHENTICATED, a customer FORBIDDEN', async () => {
      const id = products.guide;
      const mutations: Array<[string, Record<string, unknown>]> = [
        [createProduct, { input: newProduct() }],
        ['mutation($id: ID!) { updateProduct(id: $id, input: { price: 1 }) { id } }', { id }],
        ['mutation($id: ID!) { adjustStock(productId: $id, delta: 1) { newStock } }', { id }],
        ['mutation($id: ID!) { deleteProduct(id: $id) }', { id }],
      ];
      for (const [mutation, variables] of mutations) {
        failure(await gql(mutation, { variables }), 'UNAUTHENTICATED');
        failure(await gql(mutation, { variables, token: tokens.customer }), 'FORBIDDEN');
      }
      assert.equal(ok(await gql<{ product: ProductNode }>(productQuery, { variables: { id } })).product.price, 19.99);
    });

    test('an admin creates, updates, adjusts the stock of and deletes a product', async () => {
      const input = {
        ...newProduct(),
        stock: undefined,
        specifications: [{ name: 'Steel', value: 'Carbon' }],
        variants: [
          { name: '30 cm', stock: 2, options: [{ name: 'diameter', value: '30' }] },
          { name: '36 cm', stock: 1 },
        ],
      };
      const made = ok(
        await gql<{ createProduct: Record<string, unknown> & { id: string } }>(createProduct, { variables: { input }, token: tokens.admin }),
      ).createProduct;
      assert.deepEqual(
        { ...made, id: undefined },
        {
          id: undefined,
          name: input.name,
          price: 45,
          stock: 3,
          category: { name: 'GQL Kitchen' },
          specifications: [{ name: 'Steel', value: 'Carbon' }],
          variants: [
            { name: '30 cm', stock: 2, options: [{ name: 'diameter', value: '30' }] },
            { name: '36 cm', stock: 1, options: [] },
          ],
        },
      );
      const updated = ok(
        await gql<{ updateProduct: { price: number; description: string } }>(
          'mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { price description } }',
          { variables: { id: made.id, input: { price: 49.5, description: 'Hand hammered', variants: [] } }, token: tokens.admin },
        ),
      ).updateProduct;
      assert.deepEqual(updated, { price: 49.5, description: 'Hand hammered' });
      const level = ok(
        await gql<{ adjustStock: Record<string, unknown> }>(
          'mutation($id: ID!) { adjustStock(productId: $id, delta: 5) { productId oldStock newStock variantId } }',
          { variables: { id: made.id }, token: tokens.admin },
        ),
      ).adjustStock as { oldStock: number; newStock: number };
      assert.deepEqual(level, { productId: made.id, oldStock: level.oldStock, newStock: level.oldStock + 5, variantId: null });
      assert.deepEqual(ok(await gql('mutation($id: ID!) { deleteProduct(id: $id) }', { variables: { id: made.id }, token: tokens.admin })), {
        deleteProduct: made.id,
      });
      failure(await gql(productQuery, { variables: { id: made.id } }), 'PRODUCT_NOT_FOUND');
    });

    test('product mutations take what REST takes: weights (a variant keeps its own through an update) and no categoryId for the default category', async () => {
      const admin = tokens.admin;
      const fields = 'id weightGrams category { id } variants { id name weightGrams }';
      type Made = { id: string; weightGrams: number; category: { id: string }; variants: Array<{ id: string; name: string; weightGrams: number | null }> };
      const input = {
        name: `Dutch Oven ${randomUUID().slice(0, 8)}`,
        price: 80,
        weightGrams: 4500,
        variants: [
          { name: '24 cm', stock: 2, weightGrams: 3900 },
          { name: '28 cm', stock: 1 },
        ],
      };
      const made = ok(
        await gql<{ createProduct: Made }>(`mutation($input: CreateProductInput!) { createProduct(input: $input) { ${fields} } }`, {
          variables: { input },
          token: admin,
        }),
      ).createProduct;
      assert.equal(made.weightGrams, 4500);
      assert.equal(made.category.id, defaultCategoryId);
      assert.deepEqual(
        made.variants.map((v) => [v.name, v.weightGrams]),
        [
          ['24 cm', 3900],
          ['28 cm', null],
        ],
      );
      const variants = made.variants.map((v) => ({ id: v.id, name: v.name, stock: 5, weightGrams: v.weightGrams }));
      const updated = ok(
        await gql<{ updateProduct: Made }>(`mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ${fields} } }`, {
          variables: { id: made.id, input: { weightGrams: 4600, variants } },
          token: admin,
        }),
      ).updateProduct;
      assert.equal(updated.weightGrams, 4600);
      assert.deepEqual(
        updated.variants.map((v) => [v.name, v.weightGrams]),
        [
          ['24 cm', 3900],
          ['28 cm', null],
        ],
      );
      const rest = await fetch(`${dema.url}/api/products/${made.id}`).then((response) => response.json() as Promise<Made>);
      assert.deepEqual(
        rest.variants.map((v) => v.weightGrams),
        [3900, null],
      );
      ok(await gql('mutation($id: ID!) { deleteProduct(id: $id) }', { variables: { id: made.id }, token: admin }));
    });

    test('product mutations with bad input get REST’s code naming the GraphQL argument', async () => {
      const admin = tokens.admin;
      failure(await gql(createProduct, { variables: { input: { ...newProduct(), price: -1 } }, token: admin }), 'VALIDATION_FAILED', 'input.price');
      failure(await gql(createProduct, { variables: { input: { ...newProduct(), price: 1.234 } }, token: admin }), 'VALIDATION_FAILED', 'input.price');
      const unknownCategory = { ...newProduct(), categoryId: randomUUID() };
      failure(
        await gql(createProduct, { variables: { input: unknownCategory }, token: admin }),
        await restCode('POST', '/api/products', admin, unknownCategory),
      );
      failure(
        await gql('mutation($id: ID!) { adjustStock(productId: $id, delta: 0) { newStock } }', { variables: { id: products.guide }, token: admin }),
        'VALIDATION_FAILED',
        'delta',
      );
      failure(
        await gql('mutation($id: ID!) { adjustStock(productId: $id, delta: -1000) { newStock } }', { variables: { id: products.guide }, token: admin }),
        await restCode('POST', `/api/products/${products.guide}/stock-adjustments`, admin, { delta: -1000 }),
      );
      failure(
        await gql('mutation($id: ID!) { adjustStock(productId: $id, delta: 1) { newStock } }', { variables: { id: 'nope' }, token: admin }),
        'VALIDATION_FAILED',
        'productId',
      );
      failure(
        await gql('mutation($id: ID!) { updateProduct(id: $id, input: { price: 2 }) { id } }', { variables: { id: randomUUID() }, token: admin }),
        'PRODUCT_NOT_FOUND',
      );
    });

    const cartFields = 'items { productId quantity price lineTotal product { name } } subtotal problems { reason }';

    test('cart: anonymous is UNAUTHENTICATED; a customer adds, sets, removes and clears lines', async () => {
      failure(await gql(`{ cart { ${cartFields} } }`), 'UNAUTHENTICATED');
      failure(await gql(`mutation { addToCart(productId: "${products.guide}", quantity: 1) { subtotal } }`), 'UNAUTHENTICATED');
      const token = tokens.other;
      const add = (id: string, quantity: number) =>
        gql<{ addToCart: { items: Array<{ productId: string; quantity: number; product: { name: string } }>; subtotal: number } }>(
          `mutation($id: ID!, $quantity: Int!) { addToCart(productId: $id, quantity: $quantity) { ${cartFields} } }`,
          { variables: { id, quantity }, token },
        );
      ok(await add(products.guide, 2));
      const twice = ok(await add(products.guide, 1)).addToCart;
      assert.deepEqual(
        twice.items.map((item) => [item.product.name, item.quantity]),
        [['Field Guide to Birds', 3]],
      );
      assert.equal(twice.subtotal, 59.97);
      const set = ok(
        await gql<{ updateCartItem: { items: Array<{ quantity: number }> } }>(
          `mutation($id: ID!) { updateCartItem(productId: $id, quantity: 1) { ${cartFields} } }`,
          { variables: { id: products.guide }, token },
        ),
      ).updateCartItem;
      assert.deepEqual(
        set.items.map((item) => item.quantity),
        [1],
      );
      ok(await add(products.skillet, 1));
      const removed = ok(
        await gql<{ removeFromCart: { items: Array<{ productId: string }> } }>(`mutation($id: ID!) { removeFromCart(productId: $id) { ${cartFields} } }`, {
          variables: { id: products.guide },
          token,
        }),
      ).removeFromCart;
      assert.deepEqual(
        removed.items.map((item) => item.productId),
        [products.skillet],
      );
      assert.deepEqual(ok(await gql(`mutation { clearCart { items { productId } subtotal } }`, { token })), { clearCart: { items: [], subtotal: 0 } });
      assert.deepEqual(ok(await gql('{ cart { items { productId } } }', { token })), { cart: { items: [] } });
    });

    test('cart: a quantity out of range names quantity; an unknown product gets REST’s code', async () => {
      const token = tokens.other;
      failure(
        await gql('mutation($id: ID!) { updateCartItem(productId: $id, quantity: 0) { subtotal } }', { variables: { id: products.guide }, token }),
        'VALIDATION_FAILED',
        'quantity',
      );
      const unknown = randomUUID();
      failure(
        await gql('mutation($id: ID!) { addToCart(productId: $id, quantity: 1) { subtotal } }', { variables: { id: unknown }, token }),
        await restCode('PUT', `/api/cart/items/${unknown}`, token, { quantity: 1 }),
      );
    });

    test('addToCart adds to the line of the same ids in capitals, and refuses adding nothing or less than nothing', async () => {
      const token = tokens.other;
      const add = (id: string, quantity: number) =>
        gql<{ addToCart: { items: Array<{ productId: string; quantity: number }> } }>(
          'mutation($id: ID!, $quantity: Int!) { addToCart(productId: $id, quantity: $quantity) { items { productId quantity } } }',
          { variables: { id, quantity }, token },
        );
      ok(await add(products.guide, 2));
      assert.deepEqual(ok(await add(products.guide.toUpperCase(), 1)).addToCart.items, [{ productId: products.guide, quantity: 3 }]);
      failure(await add(products.guide, 0), 'VALIDATION_FAILED', 'quantity');
      failure(await add(products.guide, -1), 'VALIDATION_FAILED', 'quantity');
      assert.deepEqual(ok(await gql('{ cart { items { productId quantity } } }', { token })), {
        cart: { items: [{ productId: products.guide, quantity: 3 }] },
      });
      ok(await gql('mutation { clearCart { subtotal } }', { token }));
    });

    test('an id that is empty, "." or ".." is refused naming its argument and reaches no other route: removeFromCart("..") empties no cart', async () => {
      const token = tokens.other;
      ok(await gql('mutation($id: ID!) { updateCartItem(productId: $id, quantity: 1) { subtotal } }', { variables: { id: products.guide }, token }));
      for (const id of ['', '.', '..']) {
        failure(
          await gql('mutation($id: ID!) { removeFromCart(productId: $id) { subtotal } }', { variables: { id }, token }),
          'VALIDATION_FAILED',
          'productId',
        );
        failure(
          await gql('mutation($id: ID!) { addToCart(productId: $id, quantity: 1) { subtotal } }', { variables: { id }, token }),
          'VALIDATION_FAILED',
          'productId',
        );
        failure(await gql(productQuery, { variables: { id } }), 'VALIDATION_FAILED', 'id');
        failure(await gql('query($id: ID!) { category(id: $id) { id } }', { variables: { id } }), 'VALIDATION_FAILED', 'id');
        failure(await gql('query($id: ID!) { orders(userId: $id) { totalCount } }', { variables: { id }, token }), 'VALIDATION_FAILED', 'userId');
        failure(
          await gql('mutation($id: ID!) { changeOrderStatus(id: $id, status: CONFIRMED) { id } }', { variables: { id }, token: tokens.admin }),
          'VALIDATION_FAILED',
          'id',
        );
      }
      // An empty variantId is a bad variantId, not an absent one (which would remove every line of the product).
      failure(
        await gql('mutation($id: ID!) { removeFromCart(productId: $id, variantId: "") { subtotal } }', { variables: { id: products.guide }, token }),
        'VALIDATION_FAILED',
        'variantId',
      );
      assert.deepEqual(ok(await gql('{ cart { items { productId quantity } } }', { token })), {
        cart: { items: [{ productId: products.guide, quantity: 1 }] },
      });
      ok(await gql('mutation { clearCart { subtotal } }', { token }));
    });

    const orderFields = 'id status total createdAt updatedAt user { id email } items { productId name quantity price lineTotal product { name stock } }';
    const placeOrder = `mutation($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { ${orderFields} } }`;
    type OrderNode = {
      id: string;
      status: string;
      total: number;
      user: { id: string; email: string };
      items: Array<{ quantity: number; price: number; product: { name: string } | null }>;
    };
    const order = async (token: string, items: Array<{ productId: string; quantity: number }>, key = randomUUID()) =>
      ok(await gql<{ placeOrder: OrderNode }>(placeOrder, { variables: { input: { items }, key }, token })).placeOrder;

    test('placeOrder: a customer orders at catalog prices; the same idempotency key returns the first order', async () => {
      failure(await gql(placeOrder, { variables: { input: { items: [{ productId: products.guide, quantity: 1 }] }, key: 'k' } }), 'UNAUTHENTICATED');
      const key = randomUUID();
      const placed = await order(tokens.customer, [{ productId: products.guide, quantity: 2 }], key);
      assert.equal(placed.status, 'PENDING');
      assert.equal(placed.total, 39.98);
      assert.deepEqual(placed.user, { id: ids.customer, email: 'customer@graphql.dema.dev' });
      assert.deepEqual(
        placed.items.map((item) => [item.product?.name, item.quantity, item.price]),
        [['Field Guide to Birds', 2, 19.99]],
      );
      const again = await order(tokens.customer, [{ productId: products.guide, quantity: 2 }], key);
      assert.equal(again.id, placed.id);
      failure(
        await gql(placeOrder, { variables: { input: { items: [{ productId: products.guide, quantity: 3 }] }, key }, token: tokens.customer }),
        'IDEMPOTENCY_KEY_REUSED',
      );
    });

    test('placeOrder: from the cart, which it empties; short stock, an empty input and a bad quantity get REST’s codes', async () => {
      const token = tokens.other;
      ok(await gql('mutation($id: ID!) { addToCart(productId: $id, quantity: 1) { subtotal } }', { variables: { id: products.skillet }, token }));
      const placed = ok(await gql<{ placeOrder: OrderNode }>(placeOrder, { variables: { input: { fromCart: true }, key: randomUUID() }, token })).placeOrder;
      assert.equal(placed.total, 39.9);
      assert.deepEqual(ok(await gql('{ cart { items { productId } } }', { token })), { cart: { items: [] } });
      failure(
        await gql(placeOrder, { variables: { input: { items: [{ productId: products.knife, quantity: 1 }] }, key: randomUUID() }, token }),
        'INSUFFICIENT_STOCK',
      );
      failure(await gql(placeOrder, { variables: { input: {}, key: randomUUID() }, token }), await restCode('POST', '/api/orders', token, {}));
      failure(
        await gql(placeOrder, { variables: { input: { items: [{ productId: products.guide, quantity: 1001 }] }, key: randomUUID() }, token }),
        'VALIDATION_FAILED',
        'input.items.0.quantity',
      );
      failure(
        await gql(placeOrder, { variables: { input: { items: [{ productId: products.guide, quantity: 1 }] }, key: 'no spaces allowed' }, token }),
        'VALIDATION_FAILED',
        'idempotencyKey',
      );
    });

    const ordersQuery = `query($userId: ID, $status: OrderStatus, $first: Int, $after: String) {
      orders(userId: $userId, status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status user { id } } } }
    }`;
    type OrderList = { orders: Connection<{ id: string; status: string; user: { id: string } }> };

    test("order and orders: a customer's own, an admin's all or one user's", async () => {
      const mine = await order(tokens.customer, [{ productId: products.guide, quantity: 1 }]);
      const theirs = await order(tokens.other, [{ productId: products.guide, quantity: 1 }]);
      failure(await gql('query($id: ID!) { order(id: $id) { id } }', { variables: { id: mine.id } }), 'UNAUTHENTICATED');
      assert.equal(
        ok(
          await gql<{ order: { id: string } }>(`query($id: ID!) { order(id: $id) { ${orderFields} } }`, { variables: { id: mine.id }, token: tokens.customer }),
        ).order.id,
        mine.id,
      );
      failure(await gql('query($id: ID!) { order(id: $id) { id } }', { variables: { id: theirs.id }, token: tokens.customer }), 'ORDER_NOT_FOUND');
      const admins = ok(
        await gql<{ order: { user: { email: string } } }>('query($id: ID!) { order(id: $id) { user { email } } }', {
          variables: { id: theirs.id },
          token: tokens.admin,
        }),
      );
      assert.equal(admins.order.user.email, 'other@graphql.dema.dev');

      failure(await gql(ordersQuery), 'UNAUTHENTICATED');
      const own = ok(await gql<OrderList>(ordersQuery, { token: tokens.customer })).orders;
      assert.ok(own.totalCount >= 1);
      assert.ok(own.edges.every((edge) => edge.node.user.id === ids.customer));
      const restOwn = await rest('GET', '/api/orders', tokens.customer);
      assert.equal(own.totalCount, restOwn.body!.total);
      failure(await gql(ordersQuery, { variables: { userId: ids.other }, token: tokens.customer }), 'FORBIDDEN');

      const all = ok(await gql<OrderList>(ordersQuery, { token: tokens.admin })).orders;
      assert.equal(all.totalCount, (await rest('GET', '/api/orders', tokens.admin)).body!.total);
      assert.ok(new Set(all.edges.map((edge) => edge.node.user.id)).size >= 2);
      const byUser = ok(await gql<OrderList>(ordersQuery, { variables: { userId: ids.other }, token: tokens.admin })).orders;
      assert.ok(byUser.totalCount >= 1 && byUser.edges.every((edge) => edge.node.user.id === ids.other));
      const page = ok(await gql<OrderList>(ordersQuery, { variables: { first: 1 }, token: tokens.admin })).orders;
      assert.equal(page.edges.length, 1);
      assert.equal(page.pageInfo.hasNextPage, true);
      const next = ok(await gql<OrderList>(ordersQuery, { variables: { first: 1, after: page.pageInfo.endCursor }, token: tokens.admin })).orders;
      assert.notEqual(next.edges[0]!.node.id, page.edges[0]!.node.id);
      failure(await gql(ordersQuery, { variables: { first: 101 }, token: tokens.admin }), 'VALUE_OUT_OF_RANGE', 'first');
      failure(await gql(ordersQuery, { variables: { userId: 'nope' }, token: tokens.admin }), 'VALIDATION_FAILED', 'userId');
    });

    test('changeOrderStatus: a customer cancels their own order but confirms none; an admin makes the moves the table allows', async () => {
      const change = (id: string, status: string, token?: string) =>
        gql<{ changeOrderStatus: { status: string } }>('mutation($id: ID!, $status: OrderStatus!) { changeOrderStatus(id: $id, status: $status) { status } }', {
          variables: { id, status },
          token,
        });
      const first = await order(tokens.customer, [{ productId: products.guide, quantity: 1 }]);
      const second = await order(tokens.customer, [{ productId: products.guide, quantity: 1 }]);
      failure(await change(first.id, 'CANCELLED'), 'UNAUTHENTICATED');
      failure(
        await change(first.id, 'CONFIRMED', tokens.customer),
        await restCode('PUT', `/api/orders/${first.id}/status`, tokens.customer, { status: 'CONFIRMED' }),
      );
      failure(await change(first.id, 'CANCELLED', tokens.other), 'ORDER_NOT_FOUND');
      assert.equal(ok(await change(first.id, 'CANCELLED', tokens.customer)).changeOrderStatus.status, 'CANCELLED');
      assert.equal(ok(await change(second.id, 'CONFIRMED', tokens.admin)).changeOrderStatus.status, 'CONFIRMED');
      failure(await change(second.id, 'PENDING', tokens.admin), 'ORDER_INVALID_TRANSITION');
      const unknown = await change(second.id, 'LOST', tokens.admin);
      failure(unknown, 'GRAPHQL_VALIDATION_FAILED');
      assert.equal(unknown.status, 400);
      const filtered = ok(await gql<OrderList>(ordersQuery, { variables: { status: 'CANCELLED' }, token: tokens.customer })).orders;
      assert.ok(filtered.edges.some((edge) => edge.node.id === first.id));
      assert.ok(filtered.edges.every((edge) => edge.node.status === 'CANCELLED'));
    });

    test('signup, login, refresh and logout, with REST’s refusals', async () => {
      const email = `new-${randomUUID().slice(0, 8)}@graphql.dema.dev`;
      const signup = (input: Record<string, string>) =>
        gql<{ signup: { message: string } }>('mutation($input: SignupInput!) { signup(input: $input) { message } }', { variables: { input } });
      const accepted = ok(await signup({ email, password, name: 'New' })).signup;
      assert.match(accepted.message, /^Sign in/);
      assert.deepEqual(ok(await signup({ email, password, name: 'Again' })).signup, accepted, 'a registered email is answered alike');
      failure(await signup({ email: `x${email}`, password: 'short', name: 'Short' }), 'VALIDATION_FAILED', 'input.password');
      failure(await signup({ email: 'not-an-email', password, name: 'Bad' }), 'VALIDATION_FAILED', 'input.email');

      const login = (pass: string) =>
        gql<{ login: { user: { email: string }; tokens: { accessToken: string; refreshToken: string } } }>(
          'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { user { email } tokens { accessToken refreshToken } } }',
          { variables: { email, password: pass } },
        );
      failure(await login('wrong-password-entirely'), 'INVALID_CREDENTIALS');
      const signedIn = ok(await login(password)).login;
      assert.equal(signedIn.user.email, email);
      const session = ok(await login(password)).login;

      const refresh = (refreshToken: string) =>
        gql<{ refresh: { accessToken: string; refreshToken: string } }>('mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken } }', {
          variables: { t: refreshToken },
        });
      const renewed = ok(await refresh(signedIn.tokens.refreshToken)).refresh;
      assert.notEqual(renewed.refreshToken, signedIn.tokens.refreshToken);
      failure(await refresh(signedIn.tokens.refreshToken), 'INVALID_REFRESH_TOKEN');

      failure(await gql('mutation { logout }'), 'UNAUTHENTICATED');
      assert.deepEqual(ok(await gql('mutation { logout }', { token: session.tokens.accessToken })), { logout: true });
      // The session is over: its token is refused at the door, before any GraphQL runs.
      const refused = await fetch(`${dema.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.tokens.accessToken}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(((await refused.json()) as { code: string }).code, 'UNAUTHENTICATED');
    });

    test('GraphQL’s own errors: 400 with GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED; no mutation over GET', async () => {
      const parse = await gql('{ products(first: 2) { totalCount ');
      assert.equal(parse.status, 400);
      failure(parse, 'GRAPHQL_PARSE_FAILED');
      const unknownField = await gql('{ products { totalCount price } }');
      assert.equal(unknownField.status, 400);
      failure(unknownField, 'GRAPHQL_VALIDATION_FAILED');
      const badVariable = await gql(productsQuery, { variables: { first: 'ten' } });
      assert.equal(badVariable.status, 400);
      failure(badVariable, 'GRAPHQL_VALIDATION_FAILED');
      // Which operation to run is the request's to say: without it (or naming none there is) nothing runs.
      const twoOperations = 'query A { categories { name } } query B { categories { slug } }';
      for (const operationName of [undefined, 'C']) {
        const response = await fetch(`${dema.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: twoOperations, operationName }),
        });
        const answer = (await response.json()) as GraphqlAnswer<unknown>;
        assert.equal(response.status, 400, JSON.stringify(answer));
        assert.equal(answer.data, null);
        assert.equal(answer.errors[0]!.extensions.code, 'GRAPHQL_VALIDATION_FAILED');
      }
      const overGet = await fetch(`${dema.url}/graphql?query=${encodeURIComponent('mutation { logout }')}`);
      assert.equal(overGet.status, 405);
      const body = (await overGet.json()) as GraphqlAnswer<unknown>;
      assert.equal(body.errors[0]!.extensions.code, 'METHOD_NOT_ALLOWED');
      const viaGet = await fetch(`${dema.url}/graphql?query=${encodeURIComponent('{ categories { name } }')}`);
      assert.equal(viaGet.status, 200);
    });

    test('100 aliased logins are 100 login attempts: the login throttle stops them as it stops 100 REST logins', async () => {
      const email = 'customer@graphql.dema.dev';
      const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: login(email: "${email}", password: "guess-number-${i}") { user { id } }`).join('\n');
      const answer = await gql(`mutation { ${aliases} }`);
      assert.equal(answer.errors.length, 100);
      const codes = answer.errors.map((error) => error.extensions.code);
      // The throttle allows 5 failures per account and address; every later attempt is refused unchecked.
      assert.deepEqual(codes.slice(0, 5), Array(5).fill('INVALID_CREDENTIALS'));
      assert.deepEqual(codes.slice(5), Array(95).fill('RATE_LIMITED'));
      const viaRest = await rest('POST', '/api/auth/login', undefined, { email, password });
      assert.equal(viaRest.status, 429, 'REST counts the same attempts');
    });
  });
}
