import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  type CheckoutSettings,
  type CreatePromotion,
  type CreateShippingMethod,
  type CreateShippingZone,
  type CreateTaxRate,
  type InvalidParam,
  type Promotion,
  type PromotionPage,
  type ShippingMethod,
  type ShippingZone,
  type TaxRate,
  type UpdateCheckoutSettings,
  type UpdatePromotion,
  type UpdateShippingMethod,
  type UpdateShippingZone,
  type UpdateTaxRate,
  trimmedName,
} from '@dema/contracts';
import { conflict, notFound, recordAudit, unprocessableContent, type Db, type Queryable } from '@dema/platform';
import * as settings from './db/checkout-settings.repository.ts';
import * as promotions from './db/promotions.repository.ts';
import * as shipping from './db/shipping.repository.ts';
import * as taxRates from './db/tax-rates.repository.ts';
import { promotionProblems, rateProblems, taxRateProblems, zoneProblems } from './domain/configuration-rules.ts';

const pgUniqueViolation = '23505';

/**
 * The store's checkout configuration, as admins manage it: shipping zones and their methods, tax
 * rates, promotions and the checkout settings. A change is checked whole (the record as it would be
 * stored) and refused, writing nothing, with a 422 naming each field to fix; a change of a record
 * locks it first, so two admins' changes apply one after the other, never half of each.
 */
export class CheckoutConfiguration {
  constructor(private readonly db: Db) {}

  listZones(): Promise<ShippingZone[]> {
    return shipping.listZones(this.db);
  }

  async zone(id: string): Promise<ShippingZone> {
    return (await shipping.findZone(this.db, id)) ?? throwZoneNotFound(id);
  }

  async createZone(sent: CreateShippingZone): Promise<ShippingZone> {
    const input = trimmedName(sent);
    const zone: ShippingZone = {
      id: randomUUID(),
      name: input.name,
      countries: input.countries,
      regions: input.regions ?? [],
      taxShipping: input.taxShipping ?? false,
    };
    refuseProblems(zoneProblems(zone, given(input)));
    await this.db.transaction(async (tx) => {
      await shipping.saveZone(tx, zone);
      await recordAudit(tx, { action: 'shipping_zone.created', resourceType: 'shipping_zone', resourceId: zone.id, before: null, after: zone });
    });
    return zone;
  }

  async updateZone(id: string, sent: UpdateShippingZone): Promise<ShippingZone> {
    const change = trimmedName(sent);
    return this.db.transaction(async (tx) => {
      const before = (await shipping.findZone(tx, id, true)) ?? throwZoneNotFound(id);
      const zone = { ...before, ...change };
      refuseProblems(zoneProblems(zone, given(change)));
      await shipping.saveZone(tx, zone);
      await recordAudit(tx, { action: 'shipping_zone.updated', resourceType: 'shipping_zone', resourceId: id, before, after: zone });
      return zone;
    });
  }

  /** Deletes the zone with its methods. */
  async deleteZone(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await shipping.findZone(tx, id, true);
      if (!(await shipping.deleteZone(tx, id))) throwZoneNotFound(id);
      await recordDeleted(tx, 'shipping_zone', id, before);
    });
  }

  async listMethods(zoneId: string): Promise<ShippingMethod[]> {
    const zone = await this.zone(zoneId);
    return shipping.listMethods(this.db, zone.id);
  }

  async method(id: string): Promise<ShippingMethod> {
    return (await shipping.findMethod(this.db, id)) ?? throwMethodNotFound(id);
  }

  async createMethod(zoneId: string, sent: CreateShippingMethod): Promise<ShippingMethod> {
    const input = trimmedName(sent);
    refuseProblems(rateProblems(input.rate));
    return this.db.transaction(async (tx) => {
      // Locked, so that the zone cannot be deleted before its new method is written.
      const zone = (await shipping.findZone(tx, zoneId, true)) ?? throwZoneNotFound(zoneId);
      const method: ShippingMethod = { id: randomUUID(), zoneId: zone.id, name: input.name, rate: input.rate, active: input.active ?? true };
      await shipping.saveMethod(tx, method);
      await recordAudit(tx, { action: 'shipping_method.created', resourceType: 'shipping_method', resourceId: method.id, before: null, after: method });
      return method;
    });
  }

  async updateMethod(id: string, sent: UpdateShippingMethod): Promise<ShippingMethod> {
    const change = trimmedName(sent);
    if (change.rate) refuseProblems(rateProblems(change.rate));
    return this.db.transaction(async (tx) => {
      const before = (await shipping.findMethod(tx, id, true)) ?? throwMethodNotFound(id);
      const method = { ...before, ...change };
      await shipping.saveMethod(tx, method);
      await recordAudit(tx, { action: 'shipping_method.updated', resourceType: 'shipping_method', resourceId: id, before, after: method });
      return method;
    });
  }

  async deleteMethod(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await shipping.findMethod(tx, id, true);
      if (!(await shipping.deleteMethod(tx, id))) throwMethodNotFound(id);
      await recordDeleted(tx, 'shipping_method', id, before);
    });
  }

  listTaxRates(): Promise<TaxRate[]> {
    return taxRates.listTaxRates(this.db);
  }

  async taxRate(id: string): Promise<TaxRate> {
    return (await taxRates.findTaxRate(this.db, id)) ?? throwTaxRateNotFound(id);
  }

  /** A rate for a (country, region) that already has one is refused: 409 TAX_RATE_TAKEN. */
  async createTaxRate(sent: CreateTaxRate): Promise<TaxRate> {
    const input = trimmedName(sent);
    const rate: TaxRate = { id: randomUUID(), name: input.name, country: input.country, region: input.region ?? null, rate: input.rate };
    refuseProblems(taxRateProblems(rate, given(input)));
    return this.db.transaction(async (tx) => {
      await taxRates.saveTaxRate(tx, rate).catch(refuseTakenTaxRate(rate));
      const created = (await taxRates.findTaxRate(tx, rate.id))!;
      await recordAudit(tx, { action: 'tax_rate.created', resourceType: 'tax_rate', resourceId: rate.id, before: null, after: created });
      return created;
    });
  }

  async updateTaxRate(id: string, sent: UpdateTaxRate): Promise<TaxRate> {
    const change = trimmedName(sent);
    return this.db.transaction(async (tx) => {
      const before = (await taxRates.findTaxRate(tx, id, true)) ?? throwTaxRateNotFound(id);
      const rate = { ...before, ...change };
      refuseProblems(taxRateProblems(rate, given(change)));
      await taxRates.saveTaxRate(tx, rate).catch(refuseTakenTaxRate(rate));
      const after = (await taxRates.findTaxRate(tx, id))!;
      await recordAudit(tx, { action: 'tax_rate.updated', resourceType: 'tax_rate', resourceId: id, before, after });
      return after;
    });
  }

  async deleteTaxRate(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await taxRates.findTaxRate(tx, id, true);
      if (!(await taxRates.deleteTaxRate(tx, id))) throwTaxRateNotFound(id);
      await recordDeleted(tx, 'tax_rate', id, before);
    });
  }

  async listPromotions(page: { limit: number; offset: number }): Promise<PromotionPage> {
    return { ...(await promotions.listPromotions(this.db, page)), ...page };
  }

  async promotion(id: string): Promise<Promotion> {
    return (await promotions.findPromotion(this.db, id)) ?? throwPromotionNotFound(id);
  }

  /** A code another promotion has, in any case, is refused: 409 PROMOTION_CODE_TAKEN. */
  async createPromotion(input: CreatePromotion): Promise<Promotion> {
    const promotion = {
      id: randomUUID(),
      code: input.code,
      kind: input.kind,
      value: input.value ?? null,
      minSubtotal: input.minSubtotal ?? null,
      startsAt: input.startsAt ?? null,
      endsAt: input.endsAt ?? null,
      usageLimit: input.usageLimit ?? null,
      perCustomerLimit: input.perCustomerLimit ?? null,
      active: input.active ?? true,
    };
    refuseProblems(promotionProblems(promotion, given(input)));
    return this.db.transaction(async (tx) => {
      await promotions.savePromotion(tx, promotion).catch(refuseTakenCode);
      const created = (await promotions.findPromotion(tx, promotion.id))!;
      await recordAudit(tx, { action: 'promotion.created', resourceType: 'promotion', resourceId: promotion.id, before: null, after: created });
      return created;
    });
  }

  async updatePromotion(id: string, change: UpdatePromotion): Promise<Promotion> {
    return this.db.transaction(async (tx) => {
      const before = (await promotions.findPromotion(tx, id, true)) ?? throwPromotionNotFound(id);
      const promotion = { ...before, ...change };
      refuseProblems(promotionProblems(promotion, given(change)));
      await promotions.savePromotion(tx, promotion).catch(refuseTakenCode);
      const after = (await promotions.findPromotion(tx, id))!;
      await recordAudit(tx, { action: 'promotion.updated', resourceType: 'promotion', resourceId: id, before, after });
      return after;
    });
  }

  async deletePromotion(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await promotions.findPromotion(tx, id, true);
      if (!(await promotions.deletePromotion(tx, id))) throwPromotionNotFound(id);
      await recordDeleted(tx, 'promotion', id, before);
    });
  }

  /** The stored settings and the countries the zones cover (`shipsTo`), read together. */
  async checkoutSettings(): Promise<CheckoutSettings> {
    const [stored, zones] = await Promise.all([settings.readCheckoutSettings(this.db), shipping.listZones(this.db)]);
    return { ...stored, shipsTo: shipsToOf(zones) };
  }

  async replaceCheckoutSettings(input: UpdateCheckoutSettings): Promise<CheckoutSettings> {
    await this.db.transaction(async (tx) => {
      const before = await settings.readCheckoutSettings(tx, true);
      await settings.writeCheckoutSettings(tx, input);
      await recordAudit(tx, { action: 'checkout_settings.replaced', resourceType: 'checkout_settings', resourceId: 'store', before, after: input });
    });
    return this.checkoutSettings();
  }
}

/** Every country of some zone, sorted, each once (a country with regions listed counts: part of it is shipped to). */
const recordDeleted = (tx: Queryable, resourceType: string, resourceId: string, before: unknown): Promise<void> =>
  recordAudit(tx, { action: `${resourceType}.deleted`, resourceType, resourceId, before, after: null });

const shipsToOf = (zones: readonly ShippingZone[]): string[] => [...new Set(zones.flatMap((zone) => zone.countries))].sort();

const given = (body: object): ReadonlySet<string> => new Set(Object.keys(body));

function refuseProblems(problems: InvalidParam[]): void {
  if (problems.length === 0) return;
  throw unprocessableContent(ErrorCode.VALIDATION_FAILED, problems.map((p) => `${p.name} ${p.reason}`).join('; '), problems);
}

const throwZoneNotFound = (id: string): never => {
  throw notFound(ErrorCode.SHIPPING_ZONE_NOT_FOUND, `No shipping zone ${id}`);
};
const throwMethodNotFound = (id: string): never => {
  throw notFound(ErrorCode.SHIPPING_METHOD_NOT_FOUND, `No shipping method ${id}`);
};
const throwTaxRateNotFound = (id: string): never => {
  throw notFound(ErrorCode.TAX_RATE_NOT_FOUND, `No tax rate ${id}`);
};
const throwPromotionNotFound = (id: string): never => {
  throw notFound(ErrorCode.PROMOTION_NOT_FOUND, `No promotion ${id}`);
};

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string }).code === pgUniqueViolation && (error as { constraint?: string }).constraint === constraint;

/** The unique index on (country, region) refused `rate`: a 409 naming the field that makes it a duplicate. */
const refuseTakenTaxRate =
  (rate: TaxRate) =>
  (error: unknown): never => {
    if (!isUniqueViolation(error, 'tax_rates_country_region_key')) throw error;
    const where = rate.region === null ? `${rate.country} as a whole` : `${rate.country}-${rate.region}`;
    throw conflict(ErrorCode.TAX_RATE_TAKEN, `${where} already has a tax rate; change that one instead`, [
      rate.region === null
        ? { name: 'body.country', reason: 'already has a tax rate for the whole country' }
        : { name: 'body.region', reason: `already has a tax rate in ${rate.country}` },
    ]);
  };

function refuseTakenCode(error: unknown): never {
  if (!isUniqueViolation(error, 'promotions_code_key')) throw error;
  throw conflict(ErrorCode.PROMOTION_CODE_TAKEN, 'Another promotion has this code (codes are matched whatever their case)', [
    { name: 'body.code', reason: 'is already the code of another promotion, in some case' },
  ]);
}
