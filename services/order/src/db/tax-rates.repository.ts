import type { TaxRate } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

// trim_scale: the rate as it was entered ("20", "8.875"), not padded to the column's scale ("20.000").
const taxRateColumns = 'id, name, country, region, trim_scale(rate)::text AS rate';

export async function listTaxRates(db: Queryable): Promise<TaxRate[]> {
  const { rows } = await db.query<TaxRate>(`SELECT ${taxRateColumns} FROM tax_rates ORDER BY country, region NULLS FIRST, id`);
  return rows;
}

export async function findTaxRate(db: Queryable, id: string, lock = false): Promise<TaxRate | undefined> {
  const { rows } = await db.query<TaxRate>(`SELECT ${taxRateColumns} FROM tax_rates WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0];
}

/**
 * Writes the rate whole: inserted when its id is new, replaced otherwise. Another rate for the same
 * (country, region) fails on the unique index `tax_rates_country_region_key`.
 */
export async function saveTaxRate(tx: Queryable, rate: TaxRate): Promise<void> {
  await tx.query(
    `INSERT INTO tax_rates (id, name, country, region, rate) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country, region = EXCLUDED.region, rate = EXCLUDED.rate`,
    [rate.id, rate.name, rate.country, rate.region, rate.rate],
  );
}

export async function deleteTaxRate(tx: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM tax_rates WHERE id = $1', [id]);
  return rowCount > 0;
}
