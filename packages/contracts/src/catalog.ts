import Type, { type Static } from 'typebox';
import { maxAmount } from './money.ts';
import { Name } from './names.ts';

/**
 * Catalog contracts (seed: Product, Category, ProductVariant, ProductCardProps). The same schemas
 * validate requests, shape responses, generate the OpenAPI document and type the clients.
 */

const Uuid = Type.String({ format: 'uuid' });
/** A price on the wire: a JSON number with at most two decimals, within DECIMAL(10,2). */
export const Price = Type.Number({ minimum: 0, maximum: maxAmount, multipleOf: 0.01 });
const Description = Type.String({ maxLength: 10_000 });
const Stock = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
/** Whole grams, for shipping rates by weight; a tonne at most (anything above is a typo). */
const WeightGrams = Type.Integer({ minimum: 0, maximum: 1_000_000 });
const Slug = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' });
const ImageUrl = Type.String({ minLength: 1, maxLength: 2048, pattern: '^(/|https?://)\\S+$' });
const Timestamp = Type.String({ format: 'date-time' });

export const Specifications = Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 1000 }), {
  description: 'Name → value, in display order',
  maxProperties: 100,
});

/**
 * The default category ("Uncategorized", slug `uncategorized` when it was created): every product
 * has a category, and a product created without `categoryId` is put here. It always exists (the
 * Product service's migrations create it) and cannot be deleted; it can be renamed.
 */
export const defaultCategoryId = 'b273cadf-82de-480d-b904-2b12a4bdc9e8';

export const CategoryRef = Type.Object({ id: Uuid, name: Type.String(), slug: Type.String() }, { $id: 'CategoryRef' });

export const Category = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    slug: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    productCount: Type.Integer({ description: 'Products in this category' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Category' },
);
export type Category = Static<typeof Category>;

export const CategoryList = Type.Object({ items: Type.Array(Type.Ref('Category')) }, { $id: 'CategoryList' });
export type CategoryList = { items: Category[] };

export const CreateCategory = Type.Object(
  { name: Name(255), slug: Type.Optional(Slug), description: Type.Optional(Type.Union([Description, Type.Null()])) },
  { additionalProperties: false },
);
export type CreateCategory = Static<typeof CreateCategory>;

export const UpdateCategory = Type.Object(
  { name: Type.Optional(Name(255)), slug: Type.Optional(Slug), description: Type.Optional(Type.Union([Description, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateCategory = Static<typeof UpdateCategory>;

export const ProductVariant = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    sku: Type.Union([Type.String(), Type.Null()]),
    /** The variant's own price, or null when it sells at the product's price. */
    price: Type.Union([Type.Number(), Type.Null()]),
    stock: Type.Integer(),
    /** The variant's own weight in grams, or null when it weighs what the product does. */
    weightGrams: Type.Union([Type.Integer(), Type.Null()]),
    options: Type.Record(Type.String(), Type.String()),
  },
  { $id: 'ProductVariant' },
);
export type ProductVariant = Static<typeof ProductVariant>;

export const Product = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    price: Type.Number(),
    /** Units available; for a product with variants, the sum of its variants' stock. */
    stock: Type.Integer(),
    /** Shipping weight in grams (0 until an admin sets one); a variant without its own weighs this. */
    weightGrams: Type.Integer(),
    /** Never null: a product without a category of its own is in the default category. */
    category: Type.Ref('CategoryRef'),
    specifications: Specifications,
    variants: Type.Array(Type.Ref('ProductVariant')),
    images: Type.Array(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Product' },
);
export type Product = Omit<Static<typeof Product>, 'category' | 'variants'> & {
  category: Static<typeof CategoryRef>;
  variants: ProductVariant[];
};

export const ProductPage = Type.Object(
  {
    items: Type.Array(Type.Ref('Product')),
    total: Type.Integer({ description: 'Products matching the filters, over all pages' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
  },
  { $id: 'ProductPage' },
);
export type ProductPage = Omit<Static<typeof ProductPage>, 'items'> & { items: Product[] };

export const productSorts = ['newest', 'price', '-price', 'name', '-name'] as const;
export type ProductSort = (typeof productSorts)[number];

export const ProductQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Category id or slug' })),
    minPrice: Type.Optional(Price),
    maxPrice: Type.Optional(Price),
    inStock: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Words to find in name or description' })),
    ids: Type.Optional(
      Type.Array(Uuid, { minItems: 1, maxItems: 100, description: "Only these products (repeat the parameter): an order's or a cart's lines in one call" }),
    ),
    sort: Type.Union([Type.Literal('newest'), Type.Literal('price'), Type.Literal('-price'), Type.Literal('name'), Type.Literal('-name')], {
      default: 'newest',
      description: '`price`/`name` ascending, `-price`/`-name` descending, `newest` first',
    }),
  },
  { additionalProperties: false },
);
export type ProductQuery = Static<typeof ProductQuery>;

export const VariantInput = Type.Object(
  {
    id: Type.Optional(Uuid),
    name: Name(255),
    sku: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    price: Type.Optional(Type.Union([Price, Type.Null()])),
    stock: Stock,
    weightGrams: Type.Optional(Type.Union([WeightGrams, Type.Null()], { description: "Grams; null or omitted: the product's weight" })),
    options: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 255 }), { maxProperties: 20 })),
  },
  { additionalProperties: false },
);
export type VariantInput = Static<typeof VariantInput>;

const productFields = {
  name: Name(255),
  description: Type.Union([Description, Type.Null()]),
  price: Price,
  stock: Stock,
  weightGrams: WeightGrams,
  categoryId: Uuid,
  specifications: Specifications,
  images: Type.Array(ImageUrl, { maxItems: 20 }),
  variants: Type.Array(VariantInput, { maxItems: 100 }),
};

export const CreateProduct = Type.Object(
  {
    name: productFields.name,
    description: Type.Optional(productFields.description),
    price: productFields.price,
    stock: Type.Optional(Type.Integer({ ...productFields.stock, description: 'Required unless variants carry the stock' })),
    weightGrams: Type.Optional(Type.Integer({ ...productFields.weightGrams, description: 'Shipping weight in grams; omitted: 0' })),
    categoryId: Type.Optional(Type.String({ ...productFields.categoryId, description: 'Omitted: the default category (`defaultCategoryId`)' })),
    specifications: Type.Optional(productFields.specifications),
    images: Type.Optional(productFields.images),
    variants: Type.Optional(productFields.variants),
  },
  { additionalProperties: false },
);
export type CreateProduct = Static<typeof CreateProduct>;

/** Every field optional: what is present replaces; `variants`, `images`, `specifications` replace whole. */
export const UpdateProduct = Type.Object(
  {
    name: Type.Optional(productFields.name),
    description: Type.Optional(productFields.description),
    price: Type.Optional(productFields.price),
    stock: Type.Optional(productFields.stock),
    weightGrams: Type.Optional(productFields.weightGrams),
    categoryId: Type.Optional(productFields.categoryId),
    specifications: Type.Optional(productFields.specifications),
    images: Type.Optional(productFields.images),
    variants: Type.Optional(productFields.variants),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateProduct = Static<typeof UpdateProduct>;

export const StockAdjustment = Type.Object(
  {
    delta: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, not: { const: 0 }, description: 'Units to add (positive) or remove (negative)' }),
    variantId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type StockAdjustment = Static<typeof StockAdjustment>;

export const StockLevel = Type.Object(
  {
    productId: Uuid,
    variantId: Type.Union([Uuid, Type.Null()]),
    oldStock: Type.Integer({ description: "The product's total before" }),
    newStock: Type.Integer({ description: "The product's total after" }),
    variantStock: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: 'StockLevel' },
);
export type StockLevel = Static<typeof StockLevel>;

export const IdParam = Type.Object({ id: Uuid }, { additionalProperties: false });
export const IdOrSlugParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });

/** The seed's component props; the web and mobile apps render a product card from exactly these. */
export interface ProductCardProps {
  id: string;
  name: string;
  price: number;
  stock: number;
  images: string[];
  specifications: Record<string, string>;
  variants?: ProductVariant[];
}
