import type { CheckoutSettings } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

/** The settings the store keeps (what `PUT /api/checkout-settings` sets); the answer adds what follows from the zones. */
export type StoredCheckoutSettings = Omit<CheckoutSettings, 'shipsTo'>;

interface SettingsRow {
  prices_include_tax: boolean;
  currency: string;
  payment_timeout_minutes: number;
  capture_on: CheckoutSettings['captureOn'];
  require_verified_email: boolean;
}

/** The store's one row of settings (the migration creates it with the defaults); `lock` holds it until the transaction ends, so a change knows what it replaced. */
export async function readCheckoutSettings(db: Queryable, lock = false): Promise<StoredCheckoutSettings> {
  const { rows } = await db.query<SettingsRow>(
    `SELECT prices_include_tax, currency, payment_timeout_minutes, capture_on, require_verified_email FROM checkout_settings${lock ? ' FOR UPDATE' : ''}`,
  );
  const row = rows[0]!;
  return {
    pricesIncludeTax: row.prices_include_tax,
    currency: row.currency,
    paymentTimeoutMinutes: row.payment_timeout_minutes,
    captureOn: row.capture_on,
    requireVerifiedEmail: row.require_verified_email,
  };
}

/** Replaces the settings; `requireVerifiedEmail` absent keeps it (a client that predates it). */
export async function writeCheckoutSettings(
  db: Queryable,
  settings: Omit<StoredCheckoutSettings, 'requireVerifiedEmail'> & { requireVerifiedEmail?: boolean },
): Promise<void> {
  await db.query(
    'UPDATE checkout_settings SET prices_include_tax = $1, currency = $2, payment_timeout_minutes = $3, capture_on = $4, require_verified_email = COALESCE($5, require_verified_email), updated_at = now()',
    [settings.pricesIncludeTax, settings.currency, settings.paymentTimeoutMinutes, settings.captureOn, settings.requireVerifiedEmail ?? null],
  );
}
