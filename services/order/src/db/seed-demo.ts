import { randomUUID } from 'node:crypto';
import type { ShippingRate } from '@dema/contracts';
import type { Db } from '@dema/platform';
import { savePromotion } from './promotions.repository.ts';
import { saveMethod, saveZone } from './shipping.repository.ts';
import { saveTaxRate } from './tax-rates.repository.ts';

/** The demo store ships in the US and to much of the EU. */
const demoZones: Array<{ name: string; countries: string[]; taxShipping: boolean; methods: Array<{ name: string; rate: ShippingRate }> }> = [
  {
    name: 'Domestic',
    countries: ['US'],
    taxShipping: false,
    methods: [
      { name: 'Standard', rate: { kind: 'free_above', amount: 5, threshold: 50 } },
      {
        name: 'Express',
        rate: {
          kind: 'weight',
          brackets: [
            { maxWeightGrams: 1_000, amount: 12 },
            { maxWeightGrams: 5_000, amount: 20 },
            { maxWeightGrams: 20_000, amount: 35 },
          ],
        },
      },
    ],
  },
  {
    name: 'Europe',
    countries: ['AT', 'BE', 'DE', 'DK', 'ES', 'FR', 'IE', 'IT', 'NL', 'PL', 'PT', 'SE'],
    // EU VAT is charged on shipping too.
    taxShipping: true,
    methods: [{ name: 'International', rate: { kind: 'flat', amount: 15 } }],
  },
];

/** A few US state sales taxes (state-level only) and the VAT of the largest EU markets. */
const demoTaxRates: Array<{ name: string; country: string; region: string | null; rate: string }> = [
  { name: 'California sales tax', country: 'US', region: 'CA', rate: '7.25' },
  { name: 'New York sales tax', country: 'US', region: 'NY', rate: '4' },
  { name: 'Texas sales tax', country: 'US', region: 'TX', rate: '6.25' },
  { name: 'Washington sales tax', country: 'US', region: 'WA', rate: '6.5' },
  { name: 'Germany VAT', country: 'DE', region: null, rate: '19' },
  { name: 'France VAT', country: 'FR', region: null, rate: '20' },
  { name: 'Netherlands VAT', country: 'NL', region: null, rate: '21' },
];

/**
 * Loads the demo store's checkout configuration — two shipping zones with their methods, some tax
 * rates and a WELCOME10 code (10 % off, once per customer) — into a store that has taken no order
 * yet, all in one transaction. Returns whether it did: a store already selling keeps its own.
 */
export async function seedDemoCheckoutConfiguration(db: Db): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ selling: boolean }>('SELECT EXISTS (SELECT 1 FROM orders) AS selling');
    if (rows[0]!.selling) return false;
    for (const zone of demoZones) {
      const zoneId = randomUUID();
      await saveZone(tx, { id: zoneId, name: zone.name, countries: zone.countries, regions: [], taxShipping: zone.taxShipping });
      for (const method of zone.methods) await saveMethod(tx, { id: randomUUID(), zoneId, name: method.name, rate: method.rate, active: true });
    }
    for (const rate of demoTaxRates) await saveTaxRate(tx, { id: randomUUID(), ...rate });
    await savePromotion(tx, {
      id: randomUUID(),
      code: 'WELCOME10',
      kind: 'percentage',
      value: '10',
      minSubtotal: null,
      startsAt: null,
      endsAt: null,
      usageLimit: null,
      perCustomerLimit: 1,
      active: true,
    });
    return true;
  });
}
