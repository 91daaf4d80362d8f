import type { ShippingMethod, ShippingRate, ShippingZone } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

/** What `findZone`'s `lock` takes: the row stays locked until the transaction ends. */
const forUpdate = (lock: boolean) => (lock ? 'FOR UPDATE' : '');

// Arrays leave as JSON: both drivers parse json alike, not every array type alike.
const zoneColumns = 'id, name, to_json(countries) AS countries, to_json(regions) AS regions, tax_shipping';

interface ZoneRow {
  id: string;
  name: string;
  countries: string[];
  regions: string[];
  tax_shipping: boolean;
}

const toZone = (row: ZoneRow): ShippingZone => ({ id: row.id, name: row.name, countries: row.countries, regions: row.regions, taxShipping: row.tax_shipping });

export async function listZones(db: Queryable): Promise<ShippingZone[]> {
  const { rows } = await db.query<ZoneRow>(`SELECT ${zoneColumns} FROM shipping_zones ORDER BY name, id`);
  return rows.map(toZone);
}

export async function findZone(db: Queryable, id: string, lock = false): Promise<ShippingZone | undefined> {
  const { rows } = await db.query<ZoneRow>(`SELECT ${zoneColumns} FROM shipping_zones WHERE id = $1 ${forUpdate(lock)}`, [id]);
  return rows[0] && toZone(rows[0]);
}

/** Writes the zone whole: inserted when its id is new, replaced otherwise. */
export async function saveZone(tx: Queryable, zone: ShippingZone): Promise<void> {
  await tx.query(
    `INSERT INTO shipping_zones (id, name, countries, regions, tax_shipping) VALUES ($1, $2, $3::text[], $4::text[], $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, countries = EXCLUDED.countries, regions = EXCLUDED.regions, tax_shipping = EXCLUDED.tax_shipping`,
    [zone.id, zone.name, zone.countries, zone.regions, zone.taxShipping],
  );
}

/** Deletes the zone and, by the foreign key, its methods; false when there was none. */
export async function deleteZone(tx: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM shipping_zones WHERE id = $1', [id]);
  return rowCount > 0;
}

interface MethodRow {
  id: string;
  zone_id: string;
  name: string;
  rate: ShippingRate;
  active: boolean;
}

const methodColumns = 'id, zone_id, name, rate, active';
const toMethod = (row: MethodRow): ShippingMethod => ({ id: row.id, zoneId: row.zone_id, name: row.name, rate: row.rate, active: row.active });

/** A zone's methods in the order they were created. */
export async function listMethods(db: Queryable, zoneId: string): Promise<ShippingMethod[]> {
  const { rows } = await db.query<MethodRow>(`SELECT ${methodColumns} FROM shipping_methods WHERE zone_id = $1 ORDER BY created_seq`, [zoneId]);
  return rows.map(toMethod);
}

/** Every method of every zone, in the order they were created. */
export async function listAllMethods(db: Queryable): Promise<ShippingMethod[]> {
  const { rows } = await db.query<MethodRow>(`SELECT ${methodColumns} FROM shipping_methods ORDER BY created_seq`);
  return rows.map(toMethod);
}

export async function findMethod(db: Queryable, id: string, lock = false): Promise<ShippingMethod | undefined> {
  const { rows } = await db.query<MethodRow>(`SELECT ${methodColumns} FROM shipping_methods WHERE id = $1 ${forUpdate(lock)}`, [id]);
  return rows[0] && toMethod(rows[0]);
}

/** Writes the method whole: inserted when its id is new, replaced otherwise (its zone never changes). */
export async function saveMethod(tx: Queryable, method: ShippingMethod): Promise<void> {
  await tx.query(
    `INSERT INTO shipping_methods (id, zone_id, name, rate, active) VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, rate = EXCLUDED.rate, active = EXCLUDED.active`,
    [method.id, method.zoneId, method.name, JSON.stringify(method.rate), method.active],
  );
}

export async function deleteMethod(tx: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM shipping_methods WHERE id = $1', [id]);
  return rowCount > 0;
}
