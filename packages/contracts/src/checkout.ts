import Type, { type Static } from 'typebox';
import { Price } from './catalog.ts';
import { maxAmount } from './money.ts';
import { Name } from './names.ts';

/**
 * The store's checkout configuration (issue 20), owned by the Order service and managed by admins:
 * shipping zones and their methods, tax rates, promotion codes and the store's checkout settings.
 * Money is a JSON number with at most two decimals, like every price of the API; percentages (tax
 * rates, percentage promotions) are decimal strings with at most three decimals ("20", "8.875"),
 * so that no rate is ever a binary fraction.
 */

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });

/** ISO 3166-1 alpha-2, upper case ("US", "DE"). */
export const CountryCode = Type.String({ minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case' });
/** An ISO 3166-2 subdivision with its country prefix ("US-CA", "CA-ON"), as zones list them. */
export const ZoneRegionCode = Type.String({
  minLength: 4,
  maxLength: 6,
  pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$',
  description: 'ISO 3166-2 subdivision with its country prefix, e.g. US-CA',
});
/** An ISO 3166-2 subdivision without its country prefix ("CA" for California), as addresses and tax rates carry it. */
export const RegionCode = Type.String({
  minLength: 1,
  maxLength: 3,
  pattern: '^[A-Z0-9]{1,3}$',
  description: 'ISO 3166-2 subdivision code without the country prefix, e.g. CA for California',
});
/** A percentage from 0 to 100 with at most three decimals, as a decimal string ("20", "8.875"). */
export const Percent = Type.String({
  minLength: 1,
  maxLength: 7,
  pattern: '^(100(\\.0{1,3})?|\\d{1,2}(\\.\\d{1,3})?)$',
  description: 'Percent from 0 to 100 with at most three decimals, as a string: "20", "8.875"',
});
/** A positive amount (a threshold, a fixed discount): more than 0. */
const PositiveAmount = Type.Number({ exclusiveMinimum: 0, maximum: maxAmount, multipleOf: 0.01 });

// ---------------------------------------------------------------------------------------------
// Shipping

const flatRate = Type.Object({ kind: Type.Literal('flat'), amount: Price }, { additionalProperties: false, description: 'The same price for every cart' });
const freeAboveRate = Type.Object(
  {
    kind: Type.Literal('free_above'),
    amount: Price,
    threshold: { ...PositiveAmount, description: 'Free when the subtotal after discounts is at least this' },
  },
  { additionalProperties: false, description: '`amount`, or nothing when the subtotal after discounts reaches `threshold`' },
);
export const WeightBracket = Type.Object(
  { maxWeightGrams: Type.Integer({ minimum: 1, maximum: 10_000_000 }), amount: Price },
  { additionalProperties: false, description: 'Carts weighing up to `maxWeightGrams` (and more than the bracket before) pay `amount`' },
);
const weightRate = Type.Object(
  {
    kind: Type.Literal('weight'),
    brackets: Type.Array(WeightBracket, { minItems: 1, maxItems: 50, description: 'Ascending by maxWeightGrams, no two alike' }),
  },
  { additionalProperties: false, description: 'By total weight: the first bracket the cart fits in; heavier than every bracket → the method does not apply' },
);
const shippingRateKinds = [flatRate, freeAboveRate, weightRate];

/** How a shipping method is priced: flat, free above a subtotal, or by weight (told apart by `kind`). */
export const ShippingRate = Type.Union(shippingRateKinds, { $id: 'ShippingRate' });
export type ShippingRate = Static<typeof flatRate> | Static<typeof freeAboveRate> | Static<typeof weightRate>;
/** `ShippingRate` as a request body carries it (inline rather than by reference). */
export const ShippingRateInput = Type.Union(shippingRateKinds);

export const ShippingZone = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    countries: Type.Array(Type.String()),
    /** Empty: the listed countries whole. A region restricts only its own country. */
    regions: Type.Array(Type.String()),
    /** Whether shipping to this zone is taxed (at the destination's rate). */
    taxShipping: Type.Boolean(),
  },
  { $id: 'ShippingZone' },
);
export type ShippingZone = Static<typeof ShippingZone>;

export const ShippingZoneList = Type.Object({ items: Type.Array(Type.Ref('ShippingZone')) }, { $id: 'ShippingZoneList' });
export type ShippingZoneList = { items: ShippingZone[] };

const zoneFields = {
  name: Name(255),
  countries: Type.Array(CountryCode, { minItems: 1, maxItems: 250, uniqueItems: true }),
  regions: Type.Array(ZoneRegionCode, {
    maxItems: 1000,
    uniqueItems: true,
    description: 'Subdivisions like US-CA; a country with regions listed is covered only there, the others whole',
  }),
  taxShipping: Type.Boolean(),
};

export const CreateShippingZone = Type.Object(
  {
    name: zoneFields.name,
    countries: zoneFields.countries,
    regions: Type.Optional({ ...zoneFields.regions, default: [] }),
    taxShipping: Type.Optional({ ...zoneFields.taxShipping, default: false }),
  },
  { additionalProperties: false },
);
export type CreateShippingZone = Static<typeof CreateShippingZone>;

/** What is present replaces; `countries` and `regions` replace whole. */
export const UpdateShippingZone = Type.Partial(Type.Object(zoneFields), { additionalProperties: false, minProperties: 1 });
export type UpdateShippingZone = Static<typeof UpdateShippingZone>;

export const ShippingMethod = Type.Object(
  {
    id: Uuid,
    zoneId: Uuid,
    name: Type.String(),
    rate: Type.Ref('ShippingRate'),
    /** An inactive method is never offered at checkout. */
    active: Type.Boolean(),
  },
  { $id: 'ShippingMethod' },
);
export type ShippingMethod = Omit<Static<typeof ShippingMethod>, 'rate'> & { rate: ShippingRate };

export const ShippingMethodList = Type.Object({ items: Type.Array(Type.Ref('ShippingMethod')) }, { $id: 'ShippingMethodList' });
export type ShippingMethodList = { items: ShippingMethod[] };

const methodFields = { name: Name(255), rate: ShippingRateInput, active: Type.Boolean() };

export const CreateShippingMethod = Type.Object(
  { name: methodFields.name, rate: methodFields.rate, active: Type.Optional({ ...methodFields.active, default: true }) },
  { additionalProperties: false },
);
export type CreateShippingMethod = Static<typeof CreateShippingMethod>;

export const UpdateShippingMethod = Type.Partial(Type.Object(methodFields), { additionalProperties: false, minProperties: 1 });
export type UpdateShippingMethod = Static<typeof UpdateShippingMethod>;

// ---------------------------------------------------------------------------------------------
// Tax

export const TaxRate = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    country: Type.String(),
    /** Null: the whole country (the rate of any address there without a rate of its own region). */
    region: Type.Union([Type.String(), Type.Null()]),
    rate: Type.String({ description: 'Percent, e.g. "8.875"' }),
  },
  { $id: 'TaxRate' },
);
export type TaxRate = Static<typeof TaxRate>;

export const TaxRateList = Type.Object({ items: Type.Array(Type.Ref('TaxRate')) }, { $id: 'TaxRateList' });
export type TaxRateList = { items: TaxRate[] };

const taxRateFields = { name: Name(255), country: CountryCode, region: Type.Union([RegionCode, Type.Null()]), rate: Percent };

/** At most one rate per (country, region); a region is given without its country prefix ("CA"). */
export const CreateTaxRate = Type.Object(
  { name: taxRateFields.name, country: taxRateFields.country, region: Type.Optional(taxRateFields.region), rate: taxRateFields.rate },
  { additionalProperties: false },
);
export type CreateTaxRate = Static<typeof CreateTaxRate>;

export const UpdateTaxRate = Type.Partial(Type.Object(taxRateFields), { additionalProperties: false, minProperties: 1 });
export type UpdateTaxRate = Static<typeof UpdateTaxRate>;

// ---------------------------------------------------------------------------------------------
// Promotions

const PromotionKindSchema = Type.Union([Type.Literal('percentage'), Type.Literal('fixed'), Type.Literal('free_shipping')], {
  description: '`percentage` off each line, a `fixed` amount off the order, or `free_shipping`',
});

export const Promotion = Type.Object(
  {
    id: Uuid,
    /** Upper case; shoppers' codes match it whatever their case. */
    code: Type.String(),
    kind: PromotionKindSchema,
    /** A percent string for `percentage`, an amount for `fixed`, null for `free_shipping`. */
    value: Type.Union([Type.String(), Type.Number(), Type.Null()]),
    /** The subtotal before discounts must be at least this. */
    minSubtotal: Type.Union([Type.Number(), Type.Null()]),
    startsAt: Type.Union([Timestamp, Type.Null()]),
    endsAt: Type.Union([Timestamp, Type.Null()]),
    /** Uses over all customers; null: unlimited. */
    usageLimit: Type.Union([Type.Integer(), Type.Null()]),
    /** Uses per customer; null: unlimited. */
    perCustomerLimit: Type.Union([Type.Integer(), Type.Null()]),
    timesUsed: Type.Integer(),
    active: Type.Boolean(),
    createdAt: Timestamp,
  },
  { $id: 'Promotion' },
);
export type Promotion = Static<typeof Promotion>;

export const PromotionPage = Type.Object(
  {
    items: Type.Array(Type.Ref('Promotion')),
    total: Type.Integer({ description: 'Promotions over all pages' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
  },
  { $id: 'PromotionPage' },
);
export type PromotionPage = { items: Promotion[]; total: number; limit: number; offset: number };

export const PromotionListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const promotionFields = {
  code: Type.String({
    minLength: 1,
    maxLength: 50,
    pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
    description: 'Letters, digits, - and _; stored upper case, unique whatever the case',
  }),
  kind: PromotionKindSchema,
  value: Type.Union([Percent, PositiveAmount, Type.Null()], {
    description: 'A percent string above 0 for `percentage` ("10"), an amount above 0 for `fixed` (5.5), absent or null for `free_shipping`',
  }),
  minSubtotal: Type.Union([PositiveAmount, Type.Null()]),
  startsAt: Type.Union([Timestamp, Type.Null()]),
  endsAt: Type.Union([Timestamp, Type.Null()]),
  usageLimit: Type.Union([Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), Type.Null()]),
  perCustomerLimit: Type.Union([Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), Type.Null()]),
  active: Type.Boolean(),
};

export const CreatePromotion = Type.Object(
  {
    code: promotionFields.code,
    kind: promotionFields.kind,
    value: Type.Optional(promotionFields.value),
    minSubtotal: Type.Optional(promotionFields.minSubtotal),
    startsAt: Type.Optional(promotionFields.startsAt),
    endsAt: Type.Optional(promotionFields.endsAt),
    usageLimit: Type.Optional(promotionFields.usageLimit),
    perCustomerLimit: Type.Optional(promotionFields.perCustomerLimit),
    active: Type.Optional({ ...promotionFields.active, default: true }),
  },
  { additionalProperties: false },
);
export type CreatePromotion = Static<typeof CreatePromotion>;

/** What is present replaces (null clears a limit or a date); the result must still make sense whole. */
export const UpdatePromotion = Type.Partial(Type.Object(promotionFields), { additionalProperties: false, minProperties: 1 });
export type UpdatePromotion = Static<typeof UpdatePromotion>;

// ---------------------------------------------------------------------------------------------
// Store settings

/**
 * A currency a request names: an ISO 4217 code in upper case. The `currency` format (the HTTP kit's,
 * `isCurrencyCode`) refuses three letters that name none (`XXX`, `ABC`).
 */
export const CurrencyCode = Type.String({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$', format: 'currency', description: 'ISO 4217, upper case' });

const CaptureOn = Type.Union([Type.Literal('shipment'), Type.Literal('checkout')]);

export const CheckoutSettings = Type.Object(
  {
    /** Whether catalog prices already include tax (tax is then taken out of them, not added). */
    pricesIncludeTax: Type.Boolean(),
    /** ISO 4217 code of every amount of the store. */
    currency: Type.String(),
    /** An order not paid within this many minutes is cancelled and its stock released. */
    paymentTimeoutMinutes: Type.Integer(),
    /** When an authorized card payment is captured: when the order ships, or at checkout. */
    captureOn: CaptureOn,
    /** Whether a customer must have verified their email (the link emailed at signup) before placing an order. */
    requireVerifiedEmail: Type.Boolean(),
    /** The countries some shipping zone covers (ISO 3166-1 alpha-2, sorted, each once): where a storefront offers to ship. */
    shipsTo: Type.Array(Type.String()),
    /** How a shopper may pay (`paymentProvider` of `POST /api/orders`): manual always, stripe when the store has it configured. */
    paymentProviders: Type.Optional(Type.Array(Type.Union([Type.Literal('manual'), Type.Literal('stripe')]))),
    /** What the storefront's card form loads Stripe.js with (`pk_…`); null when Stripe is not configured. */
    stripePublishableKey: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { $id: 'CheckoutSettings' },
);
export type CheckoutSettings = Static<typeof CheckoutSettings>;

/** `PUT /api/checkout-settings`: every setting, replacing the current ones. */
export const UpdateCheckoutSettings = Type.Object(
  {
    pricesIncludeTax: Type.Boolean(),
    currency: CurrencyCode,
    paymentTimeoutMinutes: Type.Integer({ minimum: 1, maximum: 10_080, description: 'Up to a week' }),
    captureOn: CaptureOn,
    // Optional so that a client written before the setting existed may PUT what it knows: absent keeps it as it is.
    requireVerifiedEmail: Type.Optional(Type.Boolean({ description: 'Absent: unchanged' })),
    // What GET answers beside the settings comes from the zones and the server's configuration:
    // accepted so a client may PUT back what it read, and ignored.
    shipsTo: Type.Optional(Type.Array(Type.String(), { description: 'Read-only: ignored (the shipping zones decide it)' })),
    paymentProviders: Type.Optional(Type.Array(Type.Union([Type.Literal('manual'), Type.Literal('stripe')]), { description: 'Read-only: ignored' })),
    stripePublishableKey: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Read-only: ignored' })),
  },
  { additionalProperties: false },
);
export type UpdateCheckoutSettings = Static<typeof UpdateCheckoutSettings>;
