import type { Address, SavedAddress } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

interface SavedAddressRow {
  id: string;
  label: string | null;
  address: Address;
  default_shipping: boolean;
  default_billing: boolean;
  created_at: string;
  updated_at: string;
}

const toSavedAddress = (row: SavedAddressRow): SavedAddress => ({
  id: row.id,
  label: row.label,
  address: row.address,
  defaultShipping: row.default_shipping,
  defaultBilling: row.default_billing,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Oldest first: the book reads in the order the customer filled it. */
export async function listAddresses(db: Queryable, userId: string): Promise<SavedAddress[]> {
  const { rows } = await db.query<SavedAddressRow>('SELECT * FROM saved_addresses WHERE user_id = $1 ORDER BY created_at, id', [userId]);
  return rows.map(toSavedAddress);
}

export async function findAddress(db: Queryable, userId: string, id: string): Promise<SavedAddress | undefined> {
  const { rows } = await db.query<SavedAddressRow>('SELECT * FROM saved_addresses WHERE user_id = $1 AND id = $2', [userId, id]);
  return rows[0] && toSavedAddress(rows[0]);
}

/** Writes the address whole: inserted when its id is new, replaced otherwise. */
export async function saveAddress(tx: Queryable, userId: string, saved: Omit<SavedAddress, 'createdAt' | 'updatedAt'>): Promise<void> {
  await tx.query(
    `INSERT INTO saved_addresses (id, user_id, label, address, default_shipping, default_billing) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, address = EXCLUDED.address,
       default_shipping = EXCLUDED.default_shipping, default_billing = EXCLUDED.default_billing`,
    [saved.id, userId, saved.label, JSON.stringify(saved.address), saved.defaultShipping, saved.defaultBilling],
  );
}

/** Takes the default flags off every address of the customer but `keep` (before another takes them). */
export async function clearDefaults(tx: Queryable, userId: string, keep: string, flags: { shipping: boolean; billing: boolean }): Promise<void> {
  if (flags.shipping)
    await tx.query('UPDATE saved_addresses SET default_shipping = false WHERE user_id = $1 AND id <> $2 AND default_shipping', [userId, keep]);
  if (flags.billing) await tx.query('UPDATE saved_addresses SET default_billing = false WHERE user_id = $1 AND id <> $2 AND default_billing', [userId, keep]);
}

export async function deleteAddress(tx: Queryable, userId: string, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM saved_addresses WHERE user_id = $1 AND id = $2', [userId, id]);
  return rowCount === 1;
}

/** Locks the customer's row, so that concurrent additions count the book one at a time. */
export async function lockBook(tx: Queryable, userId: string): Promise<number> {
  await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
  const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM saved_addresses WHERE user_id = $1', [userId]);
  return rows[0]!.n;
}
