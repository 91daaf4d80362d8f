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
} from '@dema/contracts';
import { conflict, notFound, unprocessableContent, type Db } from '@dema/platform';
import * as settings from './db/checkout-settings.repository.ts';
import * as promotions from './db/promotions.repository.ts';
import * as shipping from './db/shipping.repository.ts';
import * as taxRates from './db/tax-rates.repository.ts';
import { promotionProblems, rateProblems, zoneProblems } from './domain/configuration-rules.ts';

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

  async createZone(input: CreateShippingZone): Promise<ShippingZone> {
    const zone: ShippingZone = {
      id: randomUUID(),
      name: input.name,
      countries: input.countries,
      regions: input.regions ?? [],
      taxShipping: input.taxShipping ?? false,
    };
    refuseProblems(zoneProblems(zone, given(input)));
    await this.db.transaction((tx) => shipping.saveZone(tx, zone));
    return zone;
  }

  async updateZone(id: string, change: UpdateShippingZone): Promise<ShippingZone> {
    return this.db.transaction(async (tx) => {
      const zone = { ...((await shipping.findZone(tx, id, true)) ?? throwZoneNotFound(id)), ...change };
      refuseProblems(zoneProblems(zone, given(change)));
      await shipping.saveZone(tx, zone);
      return zone;
    });
  }

  /** Deletes the zone with its methods. */
  async deleteZone(id: string): Promise<void> {
    if (!(await this.db.transaction((tx) => shipping.deleteZone(tx, id)))) throwZoneNotFound(id);
  }

  async listMethods(zoneId: string): Promise<ShippingMethod[]> {
    const zone = await this.zone(zoneId);
    return shipping.listMethods(this.db, zone.id);
  }

  async createMethod(zoneId: string, input: CreateShippingMethod): Promise<ShippingMethod> {
    refuseProblems(rateProblems(input.rate));
    return this.db.transaction(async (tx) => {
      // Locked, so that the zone cannot be deleted before its new method is written.
      const zone = (await shipping.findZone(tx, zoneId, true)) ?? throwZoneNotFound(zoneId);
      const method: ShippingMethod = { id: randomUUID(), zoneId: zone.id, name: input.name, rate: input.rate, active: input.active ?? true };
      await shipping.saveMethod(tx, method);
      return method;
    });
  }

  async updateMethod(id: string, change: UpdateShippingMethod): Promise<ShippingMethod> {
    if (change.rate) refuseProblems(rateProblems(change.rate));
    return this.db.transaction(async (tx) => {
      const method = { ...((await shipping.findMethod(tx, id, true)) ?? throwMethodNotFound(id)), ...change };
      await shipping.saveMethod(tx, method);
      return method;
    });
  }

  async deleteMethod(id: string): Promise<void> {
    if (!(await this.db.transaction((tx) => shipping.deleteMethod(tx, id)))) throwMethodNotFound(id);
  }

  listTaxRates(): Promise<TaxRate[]> {
    return taxRates.listTaxRates(this.db);
  }

  /** A rate for a (country, region) that already has one is refused: 409 TAX_RATE_TAKEN. */
  async createTaxRate(input: CreateTaxRate): Promise<TaxRate> {
    const rate: TaxRate = { id: randomUUID(), name: input.name, country: input.country, region: input.region ?? null, rate: input.rate };
    return this.db.transaction(async (tx) => {
      await taxRates.saveTaxRate(tx, rate).catch(refuseTakenTaxRate(rate));
      return (await taxRates.findTaxRate(tx, rate.id))!;
    });
  }

  async updateTaxRate(id: string, change: UpdateTaxRate): Promise<TaxRate> {
    return this.db.transaction(async (tx) => {
      const rate = { ...((await taxRates.findTaxRate(tx, id, true)) ?? throwTaxRateNotFound(id)), ...change };
      await taxRates.saveTaxRate(tx, rate).catch(refuseTakenTaxRate(rate));
      return (await taxRates.findTaxRate(tx, id))!;
    });
  }

  async deleteTaxRate(id: string): Promise<void> {
    if (!(await this.db.transaction((tx) => taxRates.deleteTaxRate(tx, id)))) throwTaxRateNotFound(id);
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
      return (await promotions.findPromotion(tx, promotion.id))!;
    });
  }

  async updatePromotion(id: string, change: UpdatePromotion): Promise<Promotion> {
    return this.db.transaction(async (tx) => {
      const promotion = { ...((await promotions.findPromotion(tx, id, true)) ?? throwPromotionNotFound(id)), ...change };
      refuseProblems(promotionProblems(promotion, given(change)));
      await promotions.savePromotion(tx, promotion).catch(refuseTakenCode);
      return (await promotions.findPromotion(tx, id))!;
    });
  }

  async deletePromotion(id: string): Promise<void> {
    if (!(await this.db.transaction((tx) => promotions.deletePromotion(tx, id)))) throwPromotionNotFound(id);
  }

  /** The stored settings and the countries the zones cover (`shipsTo`), read together. */
  async checkoutSettings(): Promise<CheckoutSettings> {
    const [stored, zones] = await Promise.all([settings.readCheckoutSettings(this.db), shipping.listZones(this.db)]);
    return { ...stored, shipsTo: shipsToOf(zones) };
  }

  async replaceCheckoutSettings(input: UpdateCheckoutSettings): Promise<CheckoutSettings> {
    await settings.writeCheckoutSettings(this.db, input);
    return this.checkoutSettings();
  }
}

/** Every country of some zone, sorted, each once (a country with regions listed counts: part of it is shipped to). */
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
