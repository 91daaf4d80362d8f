import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { CheckoutSettings, Promotion, PromotionPage, ShippingMethod, ShippingZone, TaxRate, UpdateCheckoutSettings } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { problemOf, startOrderService, type OrderTestProcess, type Refusal } from './helpers.ts';

/** The 2xx body of a response, after checking its status. */
const bodyOf = async <T>(response: Response, status = 200): Promise<T> => {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status} ${text}`);
  return JSON.parse(text) as T;
};

for (const target of testTargets()) {
  describe(`checkout configuration (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema.dispose());

    const admin = (method: string, url: string, body?: unknown) => dema.admin.request(method, url, body);
    const createZone = async (body: Record<string, unknown> = {}) =>
      bodyOf<ShippingZone>(await admin('POST', '/api/shipping-zones', { name: 'Zone', countries: ['US'], ...body }), 201);
    const createMethod = async (zoneId: string, body: Record<string, unknown> = {}) =>
      bodyOf<ShippingMethod>(
        await admin('POST', `/api/shipping-zones/${zoneId}/methods`, { name: 'Standard', rate: { kind: 'flat', amount: 5 }, ...body }),
        201,
      );
    const createTaxRate = async (body: Record<string, unknown>) =>
      bodyOf<TaxRate>(await admin('POST', '/api/tax-rates', { name: 'Tax', rate: '10', ...body }), 201);
    const createPromotion = async (body: Record<string, unknown>) =>
      bodyOf<Promotion>(await admin('POST', '/api/promotions', { kind: 'percentage', value: '10', ...body }), 201);

    /** Every row of the configuration tables: what a refused request must leave as it was. */
    async function configuration() {
      const rows = await dema.query<Record<string, string | null>>(
        'order',
        `SELECT (SELECT json_agg(z ORDER BY id)::text FROM shipping_zones z) AS zones,
                (SELECT json_agg(m ORDER BY id)::text FROM shipping_methods m) AS methods,
                (SELECT json_agg(t ORDER BY id)::text FROM tax_rates t) AS tax_rates,
                (SELECT json_agg(p ORDER BY id)::text FROM promotions p) AS promotions,
                (SELECT json_agg(s)::text FROM checkout_settings s) AS settings`,
      );
      return rows[0];
    }

    async function assertRefused(refusals: Refusal[]): Promise<void> {
      for (const refusal of refusals) {
        const before = await configuration();
        const problem = await problemOf(await refusal.send(), refusal.status).catch((error: Error) => assert.fail(`${refusal.what}: ${error.message}`));
        assert.equal(problem.code, refusal.code, refusal.what);
        assert.deepEqual([...new Set(problem.invalidParams?.map((p) => p.name))], refusal.fields, `${refusal.what}: ${JSON.stringify(problem.invalidParams)}`);
        assert.deepEqual(await configuration(), before, `${refusal.what} wrote nothing`);
      }
    }

    test('a new store has no shipping zones, tax rates or promotions, and the default settings, which anyone may read', async () => {
      assert.deepEqual(await bodyOf(await admin('GET', '/api/shipping-zones')), { items: [] });
      assert.deepEqual(await bodyOf(await admin('GET', '/api/tax-rates')), { items: [] });
      assert.deepEqual(await bodyOf(await admin('GET', '/api/promotions')), { items: [], total: 0, limit: 20, offset: 0 });
      const defaults: CheckoutSettings = {
        pricesIncludeTax: false,
        currency: 'USD',
        paymentTimeoutMinutes: 60,
        captureOn: 'shipment',
        requireVerifiedEmail: false,
        shipsTo: [],
      };
      // The payment options come from the server's configuration (tests/order/payments.test.ts covers them).
      const settingsOf = async (response: Response) => {
        const { paymentProviders: _providers, stripePublishableKey: _key, ...settings } = await bodyOf<CheckoutSettings>(response);
        return settings;
      };
      assert.deepEqual(await settingsOf(await dema.anonymous('GET', '/api/checkout-settings')), defaults);
      assert.deepEqual(await settingsOf(await dema.customer.request('GET', '/api/checkout-settings')), defaults);
    });

    test('a shipping zone is created, read, listed, changed and deleted', async () => {
      const response = await admin('POST', '/api/shipping-zones', { name: 'North America', countries: ['US', 'CA'], regions: ['US-CA', 'US-NY'] });
      const zone = await bodyOf<ShippingZone>(response, 201);
      assert.equal(response.headers.get('location'), `/api/shipping-zones/${zone.id}`);
      assert.deepEqual(zone, { id: zone.id, name: 'North America', countries: ['US', 'CA'], regions: ['US-CA', 'US-NY'], taxShipping: false });
      assert.deepEqual(await bodyOf(await admin('GET', `/api/shipping-zones/${zone.id}`)), zone);
      assert.ok((await bodyOf<{ items: ShippingZone[] }>(await admin('GET', '/api/shipping-zones'))).items.some((z) => z.id === zone.id));

      const changed = await bodyOf<ShippingZone>(await admin('PATCH', `/api/shipping-zones/${zone.id}`, { regions: [], taxShipping: true }));
      assert.deepEqual(changed, { ...zone, regions: [], taxShipping: true });
      assert.deepEqual(await bodyOf(await admin('GET', `/api/shipping-zones/${zone.id}`)), changed);

      assert.equal((await admin('DELETE', `/api/shipping-zones/${zone.id}`)).status, 204);
      assert.equal((await problemOf(await admin('GET', `/api/shipping-zones/${zone.id}`), 404)).code, 'SHIPPING_ZONE_NOT_FOUND');
      // A 404 writes nothing, not even the configuration's version (which instances reload on).
      const version = async () => (await dema.query<{ version: string }>('order', 'SELECT version::text FROM checkout_configuration_version'))[0]?.version;
      const before = await version();
      assert.equal((await problemOf(await admin('DELETE', `/api/shipping-zones/${zone.id}`), 404)).code, 'SHIPPING_ZONE_NOT_FOUND');
      assert.equal((await problemOf(await admin('PATCH', `/api/shipping-zones/${zone.id}`, { name: 'Gone' }), 404)).code, 'SHIPPING_ZONE_NOT_FOUND');
      assert.equal((await problemOf(await admin('DELETE', `/api/tax-rates/${zone.id}`), 404)).code, 'TAX_RATE_NOT_FOUND');
      assert.equal((await problemOf(await admin('DELETE', `/api/shipping-methods/${zone.id}`), 404)).code, 'SHIPPING_METHOD_NOT_FOUND');
      assert.equal(await version(), before);
    });

    test('shipping methods of each rate kind are created in a zone, listed, changed and deleted', async () => {
      const zone = await createZone({ name: 'Methods' });
      const flat = await createMethod(zone.id, { name: 'Flat', rate: { kind: 'flat', amount: 4.99 } });
      const free = await createMethod(zone.id, { name: 'Free above', rate: { kind: 'free_above', amount: 5, threshold: 50 } });
      const brackets = [
        { maxWeightGrams: 1000, amount: 12 },
        { maxWeightGrams: 5000, amount: 20.5 },
      ];
      const weight = await createMethod(zone.id, { name: 'By weight', rate: { kind: 'weight', brackets }, active: false });
      assert.deepEqual(flat, { id: flat.id, zoneId: zone.id, name: 'Flat', rate: { kind: 'flat', amount: 4.99 }, active: true });
      assert.deepEqual(free.rate, { kind: 'free_above', amount: 5, threshold: 50 });
      assert.deepEqual(weight.rate, { kind: 'weight', brackets });
      assert.equal(weight.active, false);
      assert.deepEqual(await bodyOf(await admin('GET', `/api/shipping-zones/${zone.id}/methods`)), { items: [flat, free, weight] });

      const changed = await bodyOf<ShippingMethod>(
        await admin('PATCH', `/api/shipping-methods/${flat.id}`, { rate: { kind: 'free_above', amount: 3, threshold: 25.5 } }),
      );
      assert.deepEqual(changed, { ...flat, rate: { kind: 'free_above', amount: 3, threshold: 25.5 } });
      assert.equal((await admin('DELETE', `/api/shipping-methods/${free.id}`)).status, 204);
      assert.deepEqual(await bodyOf(await admin('GET', `/api/shipping-zones/${zone.id}/methods`)), { items: [changed, weight] });
      assert.equal((await problemOf(await admin('DELETE', `/api/shipping-methods/${free.id}`), 404)).code, 'SHIPPING_METHOD_NOT_FOUND');
      assert.equal((await problemOf(await admin('PATCH', `/api/shipping-methods/${free.id}`, { active: true }), 404)).code, 'SHIPPING_METHOD_NOT_FOUND');
      const unknownZone = randomUUID();
      assert.equal((await problemOf(await admin('GET', `/api/shipping-zones/${unknownZone}/methods`), 404)).code, 'SHIPPING_ZONE_NOT_FOUND');
      assert.equal(
        (await problemOf(await admin('POST', `/api/shipping-zones/${unknownZone}/methods`, { name: 'X', rate: { kind: 'flat', amount: 1 } }), 404)).code,
        'SHIPPING_ZONE_NOT_FOUND',
      );
    });

    test('the Location of a new shipping method reads it back; once deleted, or with its zone, it is a 404 SHIPPING_METHOD_NOT_FOUND there', async () => {
      const zone = await createZone({ name: 'Located' });
      const response = await admin('POST', `/api/shipping-zones/${zone.id}/methods`, { name: 'Courier', rate: { kind: 'flat', amount: 7.5 } });
      const method = await bodyOf<ShippingMethod>(response, 201);
      const location = response.headers.get('location');
      assert.equal(location, `/api/shipping-methods/${method.id}`);
      assert.deepEqual(await bodyOf(await admin('GET', location)), method);
      const changed = await bodyOf<ShippingMethod>(await admin('PATCH', location, { active: false }));
      assert.deepEqual(await bodyOf(await admin('GET', location)), changed);
      assert.equal((await admin('DELETE', location)).status, 204);
      assert.equal((await problemOf(await admin('GET', location), 404)).code, 'SHIPPING_METHOD_NOT_FOUND');
      const orphan = await createMethod(zone.id);
      assert.equal((await admin('DELETE', `/api/shipping-zones/${zone.id}`)).status, 204);
      assert.equal((await problemOf(await admin('GET', `/api/shipping-methods/${orphan.id}`), 404)).code, 'SHIPPING_METHOD_NOT_FOUND');
      assert.equal((await problemOf(await admin('GET', '/api/shipping-methods/not-a-uuid'), 400)).code, 'VALIDATION_FAILED');
    });

    test('deleting a zone deletes its methods, and only its own', async () => {
      const doomed = await createZone({ name: 'Doomed' });
      const kept = await createZone({ name: 'Kept' });
      const doomedMethods = [await createMethod(doomed.id), await createMethod(doomed.id, { name: 'Express' })];
      const keptMethod = await createMethod(kept.id);
      assert.equal((await admin('DELETE', `/api/shipping-zones/${doomed.id}`)).status, 204);
      assert.equal(await dema.count('order', 'SELECT 1 FROM shipping_methods WHERE zone_id = $1', [doomed.id]), 0);
      for (const method of doomedMethods) {
        assert.equal((await problemOf(await admin('PATCH', `/api/shipping-methods/${method.id}`, { active: false }), 404)).code, 'SHIPPING_METHOD_NOT_FOUND');
      }
      assert.deepEqual(await bodyOf(await admin('GET', `/api/shipping-zones/${kept.id}/methods`)), { items: [keptMethod] });
    });

    test('tax rates are created for a country and its regions, listed country first, changed and deleted; rates keep up to three decimals', async () => {
      const country = await createTaxRate({ name: 'Canada GST', country: 'CA', rate: '5.000' });
      const region = await createTaxRate({ name: 'Ontario HST', country: 'CA', region: 'ON', rate: '8.875' });
      assert.deepEqual(country, { id: country.id, name: 'Canada GST', country: 'CA', region: null, rate: '5' });
      assert.deepEqual(region, { id: region.id, name: 'Ontario HST', country: 'CA', region: 'ON', rate: '8.875' });
      const listed = (await bodyOf<{ items: TaxRate[] }>(await admin('GET', '/api/tax-rates'))).items.filter((r) => r.country === 'CA');
      assert.deepEqual(listed, [country, region]);

      const changed = await bodyOf<TaxRate>(await admin('PATCH', `/api/tax-rates/${region.id}`, { rate: '13', name: 'Ontario' }));
      assert.deepEqual(changed, { ...region, name: 'Ontario', rate: '13' });
      assert.equal((await admin('DELETE', `/api/tax-rates/${country.id}`)).status, 204);
      assert.equal((await problemOf(await admin('DELETE', `/api/tax-rates/${country.id}`), 404)).code, 'TAX_RATE_NOT_FOUND');
      assert.equal((await problemOf(await admin('PATCH', `/api/tax-rates/${country.id}`, { rate: '1' }), 404)).code, 'TAX_RATE_NOT_FOUND');
      // The country's rate is free again, and a rate may move to the whole country.
      const moved = await bodyOf<TaxRate>(await admin('PATCH', `/api/tax-rates/${region.id}`, { region: null }));
      assert.deepEqual(moved, { ...changed, region: null });
    });

    test('the Location of a new tax rate reads it back; once deleted it is a 404 TAX_RATE_NOT_FOUND there', async () => {
      const response = await admin('POST', '/api/tax-rates', { name: 'Quebec QST', country: 'CA', region: 'QC', rate: '9.975' });
      const rate = await bodyOf<TaxRate>(response, 201);
      const location = response.headers.get('location');
      assert.equal(location, `/api/tax-rates/${rate.id}`);
      assert.deepEqual(await bodyOf(await admin('GET', location)), rate);
      const changed = await bodyOf<TaxRate>(await admin('PATCH', location, { rate: '10' }));
      assert.deepEqual(await bodyOf(await admin('GET', location)), changed);
      assert.equal((await admin('DELETE', location)).status, 204);
      assert.equal((await problemOf(await admin('GET', location), 404)).code, 'TAX_RATE_NOT_FOUND');
      assert.equal((await problemOf(await admin('GET', '/api/tax-rates/not-a-uuid'), 400)).code, 'VALIDATION_FAILED');
    });

    test('one tax rate per country and per region: another is a 409 TAX_RATE_TAKEN naming the field, and nothing is written', async () => {
      await createTaxRate({ name: 'Germany', country: 'DE', rate: '19' });
      await createTaxRate({ name: 'Bavaria', country: 'DE', region: 'BY', rate: '19' });
      const other = await createTaxRate({ name: 'Berlin', country: 'DE', region: 'BE', rate: '19' });
      // The same region code in another country is another region.
      await createTaxRate({ name: 'Belgium-ish', country: 'AT', region: 'BY', rate: '20' });
      await assertRefused([
        {
          what: 'a second country-wide rate',
          send: () => admin('POST', '/api/tax-rates', { name: 'Again', country: 'DE', rate: '7' }),
          status: 409,
          code: 'TAX_RATE_TAKEN',
          fields: ['body.country'],
        },
        {
          what: 'a second country-wide rate, region null given',
          send: () => admin('POST', '/api/tax-rates', { name: 'Again', country: 'DE', region: null, rate: '7' }),
          status: 409,
          code: 'TAX_RATE_TAKEN',
          fields: ['body.country'],
        },
        {
          what: 'a second rate for a region',
          send: () => admin('POST', '/api/tax-rates', { name: 'Again', country: 'DE', region: 'BY', rate: '7' }),
          status: 409,
          code: 'TAX_RATE_TAKEN',
          fields: ['body.region'],
        },
        {
          what: 'a rate moved onto a region that has one',
          send: () => admin('PATCH', `/api/tax-rates/${other.id}`, { region: 'BY' }),
          status: 409,
          code: 'TAX_RATE_TAKEN',
          fields: ['body.region'],
        },
        {
          what: 'a rate moved onto the whole country, which has one',
          send: () => admin('PATCH', `/api/tax-rates/${other.id}`, { region: null }),
          status: 409,
          code: 'TAX_RATE_TAKEN',
          fields: ['body.country'],
        },
      ]);
    });

    test('a promotion is created (its code in upper case), read, listed newest first, changed and deleted', async () => {
      const response = await admin('POST', '/api/promotions', {
        code: 'summer-20',
        kind: 'percentage',
        value: '12.500',
        minSubtotal: 30,
        startsAt: '2026-06-01T00:00:00.000Z',
        endsAt: '2026-09-01T00:00:00.000Z',
        usageLimit: 100,
        perCustomerLimit: 1,
      });
      const summer = await bodyOf<Promotion>(response, 201);
      assert.equal(response.headers.get('location'), `/api/promotions/${summer.id}`);
      assert.deepEqual(summer, {
        id: summer.id,
        code: 'SUMMER-20',
        kind: 'percentage',
        value: '12.5',
        minSubtotal: 30,
        startsAt: '2026-06-01T00:00:00.000Z',
        endsAt: '2026-09-01T00:00:00.000Z',
        usageLimit: 100,
        perCustomerLimit: 1,
        timesUsed: 0,
        active: true,
        createdAt: summer.createdAt,
      });
      const fixed = await createPromotion({ code: 'FIVE', kind: 'fixed', value: 5.5 });
      const shipping = await createPromotion({ code: 'SHIPFREE', kind: 'free_shipping', value: null });
      assert.deepEqual(
        [fixed.value, fixed.minSubtotal, fixed.startsAt, fixed.endsAt, fixed.usageLimit, fixed.perCustomerLimit],
        [5.5, null, null, null, null, null],
      );
      assert.equal(shipping.value, null);
      assert.deepEqual(await bodyOf(await admin('GET', `/api/promotions/${summer.id}`)), summer);
      const page = await bodyOf<PromotionPage>(await admin('GET', '/api/promotions?limit=2'));
      assert.deepEqual(
        page.items.map((p) => p.code),
        ['SHIPFREE', 'FIVE'],
      );
      assert.equal(page.limit, 2);
      assert.ok(page.total >= 3);

      const changed = await bodyOf<Promotion>(
        await admin('PATCH', `/api/promotions/${summer.id}`, { kind: 'fixed', value: 10, minSubtotal: null, endsAt: null, active: false }),
      );
      assert.deepEqual(changed, { ...summer, kind: 'fixed', value: 10, minSubtotal: null, endsAt: null, active: false });
      assert.equal((await admin('DELETE', `/api/promotions/${summer.id}`)).status, 204);
      assert.equal((await problemOf(await admin('GET', `/api/promotions/${summer.id}`), 404)).code, 'PROMOTION_NOT_FOUND');
      assert.equal((await problemOf(await admin('PATCH', `/api/promotions/${summer.id}`, { active: true }), 404)).code, 'PROMOTION_NOT_FOUND');
      assert.equal((await problemOf(await admin('DELETE', `/api/promotions/${summer.id}`), 404)).code, 'PROMOTION_NOT_FOUND');
    });

    test('promotion codes are unique whatever their case: another is a 409 PROMOTION_CODE_TAKEN naming body.code, and nothing is written', async () => {
      await createPromotion({ code: 'Autumn' });
      const other = await createPromotion({ code: 'WINTER' });
      await assertRefused([
        {
          what: 'the same code in upper case',
          send: () => admin('POST', '/api/promotions', { code: 'AUTUMN', kind: 'free_shipping' }),
          status: 409,
          code: 'PROMOTION_CODE_TAKEN',
          fields: ['body.code'],
        },
        {
          what: 'the same code in lower case',
          send: () => admin('POST', '/api/promotions', { code: 'autumn', kind: 'free_shipping' }),
          status: 409,
          code: 'PROMOTION_CODE_TAKEN',
          fields: ['body.code'],
        },
        {
          what: "another promotion's code given to one",
          send: () => admin('PATCH', `/api/promotions/${other.id}`, { code: 'aUtUmN' }),
          status: 409,
          code: 'PROMOTION_CODE_TAKEN',
          fields: ['body.code'],
        },
      ]);
      // Its own code, in another case, is no conflict.
      assert.equal((await bodyOf<Promotion>(await admin('PATCH', `/api/promotions/${other.id}`, { code: 'winter' }))).code, 'WINTER');
    });

    test('concurrent creations of one code in different cases make one promotion; the others are 409 PROMOTION_CODE_TAKEN', async () => {
      const codes = ['RACE', 'race', 'Race', 'rAce', 'raCe', 'racE', 'RAce', 'raCE'];
      const responses = await Promise.all(codes.map((code) => admin('POST', '/api/promotions', { code, kind: 'free_shipping' })));
      assert.deepEqual(responses.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
      for (const refused of responses.filter((r) => r.status === 409)) assert.equal((await problemOf(refused, 409)).code, 'PROMOTION_CODE_TAKEN');
      assert.equal(await dema.count('order', "SELECT 1 FROM promotions WHERE upper(code) = 'RACE'"), 1);
    });

    test('concurrent creations of a rate for one region make one tax rate; the others are 409 TAX_RATE_TAKEN', async () => {
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => admin('POST', '/api/tax-rates', { name: `Race ${i}`, country: 'AU', region: 'NSW', rate: '10' })),
      );
      assert.deepEqual(responses.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
      for (const refused of responses.filter((r) => r.status === 409)) assert.equal((await problemOf(refused, 409)).code, 'TAX_RATE_TAKEN');
      assert.equal(await dema.count('order', "SELECT 1 FROM tax_rates WHERE country = 'AU' AND region = 'NSW'"), 1);
    });

    test('the checkout settings are replaced whole by an admin, and everyone reads the new ones', async () => {
      // `shipsTo` follows from the zones (the test below): the settings set here are the rest.
      const stored = ({ shipsTo: _, paymentProviders: _providers, stripePublishableKey: _key, ...rest }: CheckoutSettings) => rest;
      const settings = { pricesIncludeTax: true, currency: 'EUR', paymentTimeoutMinutes: 30, captureOn: 'checkout', requireVerifiedEmail: true } as const;
      assert.deepEqual(stored(await bodyOf(await admin('PUT', '/api/checkout-settings', settings))), settings);
      assert.deepEqual(stored(await bodyOf(await dema.anonymous('GET', '/api/checkout-settings'))), settings);
      const defaults = { pricesIncludeTax: false, currency: 'USD', paymentTimeoutMinutes: 60, captureOn: 'shipment', requireVerifiedEmail: false } as const;
      assert.deepEqual(stored(await bodyOf(await admin('PUT', '/api/checkout-settings', defaults))), defaults);
      // What GET answers may be PUT back whole; the fields the zones and the configuration decide are ignored.
      const read = await bodyOf<CheckoutSettings>(await dema.anonymous('GET', '/api/checkout-settings'));
      const putBack = await bodyOf<CheckoutSettings>(await admin('PUT', '/api/checkout-settings', { ...read, shipsTo: ['ZZ'], paymentTimeoutMinutes: 45 }));
      assert.deepEqual(putBack.shipsTo, read.shipsTo, 'shipsTo is not a setting: the zones decide it');
      assert.equal(putBack.paymentTimeoutMinutes, 45);
      assert.deepEqual(stored(await bodyOf(await admin('PUT', '/api/checkout-settings', defaults))), defaults);
    });

    test('the settings tell anyone the countries the zones ship to, sorted and each once, as the zones change', async () => {
      const shipsTo = async () => (await bodyOf<CheckoutSettings>(await dema.anonymous('GET', '/api/checkout-settings'))).shipsTo;
      const zoneCountries = async () =>
        [...new Set((await bodyOf<{ items: ShippingZone[] }>(await admin('GET', '/api/shipping-zones'))).items.flatMap((z) => z.countries))].sort();
      const nordic = await createZone({ name: 'Nordic', countries: ['NO', 'AT'] });
      const alpine = await createZone({ name: 'Alpine', countries: ['CH', 'AT'], regions: ['CH-ZH'] });
      const now = await shipsTo();
      assert.deepEqual(now, await zoneCountries(), 'every country of every zone');
      assert.deepEqual(now, [...now].sort(), 'sorted');
      assert.equal(new Set(now).size, now.length, 'each once');
      for (const country of ['AT', 'CH', 'NO']) assert.ok(now.includes(country), `${country} is shipped to`);

      assert.equal((await admin('DELETE', `/api/shipping-zones/${nordic.id}`)).status, 204);
      const afterDelete = await shipsTo();
      assert.ok(!afterDelete.includes('NO'), 'Norway, in no zone now, is no longer offered');
      assert.ok(afterDelete.includes('AT'), 'Austria is still in the Alpine zone');
      await bodyOf(await admin('PATCH', `/api/shipping-zones/${alpine.id}`, { countries: ['CH'], regions: [] }));
      assert.ok(!(await shipsTo()).includes('AT'), 'a zone changed away from a country takes it away');
      assert.equal((await admin('DELETE', `/api/shipping-zones/${alpine.id}`)).status, 204);
      assert.ok(!(await shipsTo()).includes('CH'));
    });

    test('a zone refused by its rules is a 4xx naming the field, and nothing is written', async () => {
      const zone = await createZone({ name: 'Rules', countries: ['US', 'CA'], regions: ['US-CA'] });
      await assertRefused([
        {
          what: 'no country',
          send: () => admin('POST', '/api/shipping-zones', { name: 'Z', countries: [] }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.countries'],
        },
        {
          what: 'a lower-case country',
          send: () => admin('POST', '/api/shipping-zones', { name: 'Z', countries: ['us'] }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.countries.0'],
        },
        {
          what: 'a country twice',
          send: () => admin('POST', '/api/shipping-zones', { name: 'Z', countries: ['US', 'US'] }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.countries'],
        },
        {
          what: 'a region without its country prefix',
          send: () => admin('POST', '/api/shipping-zones', { name: 'Z', countries: ['US'], regions: ['CA'] }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.regions.0'],
        },
        {
          what: 'a region of a country the zone does not list',
          send: () => admin('POST', '/api/shipping-zones', { name: 'Z', countries: ['US'], regions: ['US-NY', 'CA-ON'] }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.regions.1'],
        },
        {
          what: 'a country no address can be in',
          send: () => admin('POST', '/api/shipping-zones', { name: 'Z', countries: ['US', 'XX'] }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.countries.1'],
        },
        {
          what: 'a region that is none of its country',
          send: () => admin('POST', '/api/shipping-zones', { name: 'Z', countries: ['US', 'CA'], regions: ['US-ZZ', 'CA-ON'] }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.regions.0'],
        },
        {
          what: 'a blank name',
          send: () => admin('POST', '/api/shipping-zones', { name: '   ', countries: ['US'] }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.name'],
        },
        {
          what: "a change that drops the country of the zone's region",
          send: () => admin('PATCH', `/api/shipping-zones/${zone.id}`, { countries: ['CA'] }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.countries'],
        },
        {
          what: 'a change adding a region outside the countries',
          send: () => admin('PATCH', `/api/shipping-zones/${zone.id}`, { regions: ['US-CA', 'MX-JAL'] }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.regions.1'],
        },
        { what: 'an empty change', send: () => admin('PATCH', `/api/shipping-zones/${zone.id}`, {}), status: 400, code: 'VALIDATION_FAILED', fields: ['body'] },
      ]);
    });

    test('a shipping method refused by its rate rules is a 4xx naming the field, and nothing is written', async () => {
      const zone = await createZone({ name: 'Rate rules' });
      const method = await createMethod(zone.id);
      const post = (rate: unknown) => () => admin('POST', `/api/shipping-zones/${zone.id}/methods`, { name: 'M', rate });
      const weight = (...grams: number[]) => ({ kind: 'weight', brackets: grams.map((g) => ({ maxWeightGrams: g, amount: 5 })) });
      await assertRefused([
        {
          what: 'weight brackets descending',
          send: post(weight(1000, 500)),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.rate.brackets.1.maxWeightGrams'],
        },
        {
          what: 'weight brackets repeated',
          send: post(weight(500, 1000, 1000)),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.rate.brackets.2.maxWeightGrams'],
        },
        {
          what: 'weight brackets out of order, changed in',
          send: () => admin('PATCH', `/api/shipping-methods/${method.id}`, { rate: weight(2000, 1000) }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.rate.brackets.1.maxWeightGrams'],
        },
        { what: 'no brackets', send: post({ kind: 'weight', brackets: [] }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate.brackets'] },
        {
          what: 'a free_above threshold of 0',
          send: post({ kind: 'free_above', amount: 5, threshold: 0 }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.rate.threshold'],
        },
        {
          what: 'an amount with three decimals',
          send: post({ kind: 'flat', amount: 4.999 }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.rate.amount'],
        },
        { what: 'a negative amount', send: post({ kind: 'flat', amount: -1 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate.amount'] },
        { what: 'an unknown rate kind', send: post({ kind: 'by_distance', amount: 1 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate.kind'] },
        { what: 'a rate without kind', send: post({ amount: 1 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate.kind'] },
        { what: 'a rate that is no object', send: post(5), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate'] },
        {
          what: "a field of another kind's rate",
          send: post({ kind: 'flat', amount: 1, threshold: 5 }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.rate.threshold'],
        },
      ]);
    });

    test('a tax rate out of bounds, or in no place an address can be, is a 4xx naming the field, and nothing is written', async () => {
      const post = (body: Record<string, unknown>) => () => admin('POST', '/api/tax-rates', { name: 'T', country: 'IT', rate: '22', ...body });
      const california = await admin('POST', '/api/tax-rates', { name: 'California', country: 'US', region: 'CA', rate: '7.25' });
      assert.equal(california.status, 201, await california.clone().text());
      const { id } = (await california.json()) as { id: string };
      await assertRefused([
        { what: 'a country no address can be in', send: post({ country: 'XX' }), status: 422, code: 'VALIDATION_FAILED', fields: ['body.country'] },
        { what: 'a US region that is no state', send: post({ country: 'US', region: 'ZZ' }), status: 422, code: 'VALIDATION_FAILED', fields: ['body.region'] },
        {
          what: 'a change of country its region is not in',
          send: () => admin('PATCH', `/api/tax-rates/${id}`, { country: 'AU' }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.country'],
        },
        { what: 'above 100 %', send: post({ rate: '100.5' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate'] },
        { what: 'four decimals', send: post({ rate: '8.8755' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate'] },
        { what: 'negative', send: post({ rate: '-1' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate'] },
        { what: 'a number, not a string', send: post({ rate: 22 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.rate'] },
        { what: 'an alpha-3 country', send: post({ country: 'ITA' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.country'] },
        { what: 'a region with its country prefix', send: post({ region: 'IT-RM' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.region'] },
      ]);
    });

    test('a promotion date the store could not keep or read back is a 400 naming the field, and nothing is written', async () => {
      const dated = await createPromotion({ code: 'EDGES', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' });
      const post = (body: Record<string, unknown>) => () =>
        admin('POST', '/api/promotions', { code: `EDGE${randomUUID().slice(0, 8)}`, kind: 'free_shipping', ...body });
      const patch = (body: Record<string, unknown>) => () => admin('PATCH', `/api/promotions/${dated.id}`, body);
      const refused = (what: string, send: () => Promise<Response>, field: string): Refusal => ({
        what,
        send,
        status: 400,
        code: 'VALIDATION_FAILED',
        fields: [field],
      });
      await assertRefused([
        // Was a 500: stored as 1 BC, then unreadable.
        refused('a start in year 1 that is year 0 in UTC', post({ startsAt: '0001-01-01T00:00:00+01:00' }), 'body.startsAt'),
        // Was a 500: stored as year 10000, then unreadable.
        refused('an end in 9999 that is year 10000 in UTC', post({ endsAt: '9999-12-31T23:59:59-01:00' }), 'body.endsAt'),
        // Was a 500: JavaScript cannot read it, so "ends after it starts" was never checked and the database refused the row.
        refused('a leap second', post({ startsAt: '2026-12-31T23:59:60Z', endsAt: '2026-01-01T00:00:00Z' }), 'body.startsAt'),
        refused('an offset without its minutes', patch({ endsAt: '2026-03-01T00:00:00+01' }), 'body.endsAt'),
        // Was a 400 VALUE_OUT_OF_RANGE naming no field.
        refused('year 0', patch({ startsAt: '0000-06-01T00:00:00Z' }), 'body.startsAt'),
      ]);
      const problem = await problemOf(await post({ endsAt: '9999-12-31T23:59:59-01:00' })(), 400);
      assert.match(problem.invalidParams?.[0]?.reason ?? '', /RFC 3339 date-time .* from year 0001 to 9999 in UTC/);
      const edges = await bodyOf<Promotion>(await patch({ startsAt: '0001-01-01T00:00:00Z', endsAt: '9999-12-31T23:59:59.999Z' })());
      assert.deepEqual([edges.startsAt, edges.endsAt], ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'], 'the first and last instants are kept');
    });

    test('a zone, a method or a tax rate named with no visible character is a 400 naming body.name, and nothing is written', async () => {
      const zone = await createZone({ name: 'Invisible names' });
      const method = await createMethod(zone.id);
      const rate = await createTaxRate({ name: 'Invisible', country: 'BE', rate: '21' });
      const refused = (what: string, send: () => Promise<Response>): Refusal => ({ what, send, status: 400, code: 'VALIDATION_FAILED', fields: ['body.name'] });
      const refusals = ['\u200b', '\u00a0\u3164 '].flatMap((name) => [
        refused(`a zone named ${JSON.stringify(name)}`, () => admin('POST', '/api/shipping-zones', { name, countries: ['US'] })),
        refused(`a zone renamed ${JSON.stringify(name)}`, () => admin('PATCH', `/api/shipping-zones/${zone.id}`, { name })),
        refused(`a method named ${JSON.stringify(name)}`, () =>
          admin('POST', `/api/shipping-zones/${zone.id}/methods`, { name, rate: { kind: 'flat', amount: 1 } }),
        ),
        refused(`a method renamed ${JSON.stringify(name)}`, () => admin('PATCH', `/api/shipping-methods/${method.id}`, { name })),
        refused(`a tax rate named ${JSON.stringify(name)}`, () => admin('POST', '/api/tax-rates', { name, country: 'FR', rate: '20' })),
        refused(`a tax rate renamed ${JSON.stringify(name)}`, () => admin('PATCH', `/api/tax-rates/${rate.id}`, { name })),
      ]);
      await assertRefused(refusals);
    });

    test('zones, methods and tax rates keep their names without the spaces around them', async () => {
      const zone = await createZone({ name: '  Alps\t' });
      assert.equal(zone.name, 'Alps');
      assert.equal((await bodyOf<ShippingZone>(await admin('PATCH', `/api/shipping-zones/${zone.id}`, { name: ' Alpine ' }))).name, 'Alpine');
      const method = await createMethod(zone.id, { name: '\u00a0Courier ' });
      assert.equal(method.name, 'Courier');
      assert.equal((await bodyOf<ShippingMethod>(await admin('PATCH', `/api/shipping-methods/${method.id}`, { name: 'Post  ' }))).name, 'Post');
      const rate = await createTaxRate({ name: ' MwSt. ', country: 'AT', rate: '20' });
      assert.equal(rate.name, 'MwSt.');
      assert.equal((await bodyOf<TaxRate>(await admin('PATCH', `/api/tax-rates/${rate.id}`, { name: ' USt ' }))).name, 'USt');
      const listed = await bodyOf<{ items: TaxRate[] }>(await admin('GET', '/api/tax-rates'));
      assert.equal(listed.items.find((r) => r.id === rate.id)?.name, 'USt');
    });

    test('a promotion refused by its rules is a 4xx naming the field, and nothing is written', async () => {
      const dated = await createPromotion({ code: 'DATED', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' });
      const post = (body: Record<string, unknown>) => () => admin('POST', '/api/promotions', { code: `RULE${randomUUID().slice(0, 8)}`, ...body });
      const patch = (body: Record<string, unknown>) => () => admin('PATCH', `/api/promotions/${dated.id}`, body);
      await assertRefused([
        { what: 'a percentage of 0', send: post({ kind: 'percentage', value: '0' }), status: 422, code: 'VALIDATION_FAILED', fields: ['body.value'] },
        { what: 'a percentage above 100', send: post({ kind: 'percentage', value: '100.5' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.value'] },
        {
          what: 'a percentage given as a number',
          send: post({ kind: 'percentage', value: 10 }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.value'],
        },
        { what: 'a percentage without value', send: post({ kind: 'percentage' }), status: 422, code: 'VALIDATION_FAILED', fields: ['body.value'] },
        { what: 'a fixed amount of 0', send: post({ kind: 'fixed', value: 0 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.value'] },
        {
          what: 'a fixed amount given as a percent string',
          send: post({ kind: 'fixed', value: '5' }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.value'],
        },
        { what: 'free shipping with a value', send: post({ kind: 'free_shipping', value: 5 }), status: 422, code: 'VALIDATION_FAILED', fields: ['body.value'] },
        {
          what: 'an end before the start',
          send: post({ kind: 'free_shipping', startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.endsAt'],
        },
        {
          what: 'an end at the start',
          send: post({ kind: 'free_shipping', startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-03-01T00:00:00Z' }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.endsAt'],
        },
        {
          what: 'a start moved after the end',
          send: patch({ startsAt: '2026-03-01T00:00:00Z' }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.startsAt'],
        },
        {
          what: 'an end moved before the start',
          send: patch({ endsAt: '2025-12-01T00:00:00Z' }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.endsAt'],
        },
        { what: 'a kind changed without a value of that kind', send: patch({ kind: 'fixed' }), status: 422, code: 'VALIDATION_FAILED', fields: ['body.value'] },
        {
          what: 'a code with a space',
          send: post({ code: 'TWO WORDS', kind: 'free_shipping' }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.code'],
        },
        {
          what: 'a usage limit of 0',
          send: post({ kind: 'free_shipping', usageLimit: 0 }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.usageLimit'],
        },
        {
          what: 'a minimum subtotal of 0',
          send: post({ kind: 'free_shipping', minSubtotal: 0 }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.minSubtotal'],
        },
        { what: 'an unknown kind', send: post({ kind: 'bogo' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.kind'] },
        { what: 'an empty change', send: patch({}), status: 400, code: 'VALIDATION_FAILED', fields: ['body'] },
      ]);
    });

    test("a fixed amount of 0 is named for the amount's rule alone, not the percent string's or null's", async () => {
      const problem = await problemOf(await admin('POST', '/api/promotions', { code: 'ZEROFIXED', kind: 'fixed', value: 0 }), 400);
      assert.deepEqual(problem.invalidParams, [{ name: 'body.value', reason: 'must be > 0' }]);
    });

    test('a currency ISO 4217 does not have is a 400 saying so; one it has is taken', async () => {
      const settings = { pricesIncludeTax: false, paymentTimeoutMinutes: 60, captureOn: 'shipment' };
      for (const currency of ['XXX', 'ABC', 'XTS']) {
        const problem = await problemOf(await admin('PUT', '/api/checkout-settings', { ...settings, currency }), 400);
        assert.deepEqual(problem.invalidParams, [{ name: 'body.currency', reason: 'must be an ISO 4217 currency code (USD, EUR, JPY)' }], currency);
      }
      for (const currency of ['JPY', 'USD']) {
        const response = await admin('PUT', '/api/checkout-settings', { ...settings, currency });
        assert.equal(response.status, 200, await response.text());
      }
    });

    test('settings out of bounds are a 400 naming the field, and nothing is written', async () => {
      const good: UpdateCheckoutSettings = { pricesIncludeTax: false, currency: 'USD', paymentTimeoutMinutes: 60, captureOn: 'shipment' };
      const put = (body: Record<string, unknown>) => () => admin('PUT', '/api/checkout-settings', { ...good, ...body });
      await assertRefused([
        { what: 'a lower-case currency', send: put({ currency: 'usd' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.currency'] },
        {
          what: 'three letters that are no ISO 4217 currency',
          send: put({ currency: 'XXX' }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.currency'],
        },
        { what: 'a timeout of 0', send: put({ paymentTimeoutMinutes: 0 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.paymentTimeoutMinutes'] },
        { what: 'an unknown capture moment', send: put({ captureOn: 'delivery' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.captureOn'] },
        {
          what: 'a setting left out',
          send: () => admin('PUT', '/api/checkout-settings', { pricesIncludeTax: true }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.currency', 'body.paymentTimeoutMinutes', 'body.captureOn'],
        },
      ]);
    });

    test('customers get 403 and anonymous callers 401 from every admin route, and change nothing', async () => {
      const zone = await createZone({ name: 'Guarded' });
      const method = await createMethod(zone.id);
      const rate = await createTaxRate({ name: 'Guarded', country: 'JP', rate: '10' });
      const promotion = await createPromotion({ code: 'GUARDED' });
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/api/shipping-zones'],
        ['POST', '/api/shipping-zones', { name: 'Mine', countries: ['US'] }],
        ['GET', `/api/shipping-zones/${zone.id}`],
        ['PATCH', `/api/shipping-zones/${zone.id}`, { name: 'Mine' }],
        ['DELETE', `/api/shipping-zones/${zone.id}`],
        ['GET', `/api/shipping-zones/${zone.id}/methods`],
        ['POST', `/api/shipping-zones/${zone.id}/methods`, { name: 'Mine', rate: { kind: 'flat', amount: 0 } }],
        ['GET', `/api/shipping-methods/${method.id}`],
        ['PATCH', `/api/shipping-methods/${method.id}`, { rate: { kind: 'flat', amount: 0 } }],
        ['DELETE', `/api/shipping-methods/${method.id}`],
        ['GET', '/api/tax-rates'],
        ['POST', '/api/tax-rates', { name: 'Mine', country: 'JP', region: '13', rate: '0' }],
        ['GET', `/api/tax-rates/${rate.id}`],
        ['PATCH', `/api/tax-rates/${rate.id}`, { rate: '0' }],
        ['DELETE', `/api/tax-rates/${rate.id}`],
        ['GET', '/api/promotions'],
        ['POST', '/api/promotions', { code: 'MINE', kind: 'percentage', value: '100' }],
        ['GET', `/api/promotions/${promotion.id}`],
        ['PATCH', `/api/promotions/${promotion.id}`, { value: '100' }],
        ['DELETE', `/api/promotions/${promotion.id}`],
        ['PUT', '/api/checkout-settings', { pricesIncludeTax: true, currency: 'USD', paymentTimeoutMinutes: 60, captureOn: 'shipment' }],
      ];
      const before = await configuration();
      for (const [method, url, body] of routes) {
        assert.equal((await problemOf(await dema.customer.request(method, url, body), 403)).code, 'FORBIDDEN', `${method} ${url} as a customer`);
        assert.equal((await problemOf(await dema.anonymous(method, url, body), 401)).code, 'UNAUTHENTICATED', `${method} ${url} as anonymous`);
      }
      assert.deepEqual(await configuration(), before);
    });
  });

  describe(`the demo store's checkout configuration (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target, { demoData: true });
    });
    after(() => dema.dispose());

    test('a demo store starts with a domestic and a European zone, their methods, some tax rates and WELCOME10', async () => {
      const zones = (await bodyOf<{ items: ShippingZone[] }>(await dema.admin.request('GET', '/api/shipping-zones'))).items;
      assert.deepEqual(
        zones.map((z) => [z.name, z.countries.includes('US'), z.countries.includes('DE')]),
        [
          ['Domestic', true, false],
          ['Europe', false, true],
        ],
      );
      const domestic = (await bodyOf<{ items: ShippingMethod[] }>(await dema.admin.request('GET', `/api/shipping-zones/${zones[0]!.id}/methods`))).items;
      assert.deepEqual(
        domestic.map((m) => [m.name, m.rate.kind]),
        [
          ['Standard', 'free_above'],
          ['Express', 'weight'],
        ],
      );
      assert.deepEqual(domestic[0]!.rate, { kind: 'free_above', amount: 5, threshold: 50 });
      const rates = (await bodyOf<{ items: TaxRate[] }>(await dema.admin.request('GET', '/api/tax-rates'))).items;
      assert.ok(rates.some((r) => r.country === 'US' && r.region === 'CA' && r.rate === '7.25'));
      const promotions = (await bodyOf<PromotionPage>(await dema.admin.request('GET', '/api/promotions'))).items;
      assert.deepEqual(
        promotions.map((p) => [p.code, p.kind, p.value, p.perCustomerLimit]),
        [['WELCOME10', 'percentage', '10', 1]],
      );
    });
  });
}
