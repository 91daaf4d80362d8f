import type { ShippingMethod, ShippingZone, TaxRate } from '@dema/contracts';
import type { Db } from '@dema/platform';
import { readCheckoutSettings, type StoredCheckoutSettings } from './db/checkout-settings.repository.ts';
import { listAllMethods, listZones } from './db/shipping.repository.ts';
import { listTaxRates } from './db/tax-rates.repository.ts';

/** The checkout configuration a placement applies, as it was at `version`. */
export interface ConfigurationSnapshot {
  version: bigint;
  settings: StoredCheckoutSettings;
  zones: ShippingZone[];
  taxRates: TaxRate[];
  /** Every method by its id. */
  methods: ReadonlyMap<string, ShippingMethod>;
  /** Each zone's methods, in the order they were created. */
  methodsOfZone: ReadonlyMap<string, ShippingMethod[]>;
}

/**
 * The checkout configuration (settings, shipping zones and methods, tax rates) kept in memory by one
 * Order-service instance, so that a placement does not read four tables. It is keyed by the version
 * that migration 0008's triggers bump in the same transaction as any change of those tables: the
 * caller reads the version fresh (a placement with its promotion row, in one query) and `at` answers
 * a snapshot at least that new, reloading only when the version moved. So a change made through any
 * instance on the same database is applied by every instance from its next placement on; no bus.
 */
export class CheckoutConfigurationCache {
  private snapshot: ConfigurationSnapshot | undefined;
  private loading: Promise<ConfigurationSnapshot> | undefined;

  constructor(private readonly db: Db) {}

  /** The configuration as of `version` (read by the caller from the database) or newer. */
  async at(version: string | bigint): Promise<ConfigurationSnapshot> {
    const wanted = BigInt(version);
    for (;;) {
      if (this.snapshot && this.snapshot.version >= wanted) return this.snapshot;
      // Concurrent placements that find the cache stale share one reload.
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      const loaded = await this.loading;
      if (!this.snapshot || loaded.version > this.snapshot.version) this.snapshot = loaded;
    }
  }

  /** The current configuration (one query for its version when the cache holds it). */
  async current(): Promise<ConfigurationSnapshot> {
    const { rows } = await this.db.query<{ version: string }>('SELECT version::text AS version FROM checkout_configuration_version');
    return this.at(rows[0]!.version);
  }

  /**
   * Reads the whole configuration and its version from one snapshot of the database (REPEATABLE
   * READ), so the version names exactly what was read: a change committed half-way through the
   * reads would otherwise be cached under the version before it, half of it applied.
   */
  private load(): Promise<ConfigurationSnapshot> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const { rows } = await tx.query<{ version: string }>('SELECT version::text AS version FROM checkout_configuration_version');
      const settings = await readCheckoutSettings(tx);
      const zones = await listZones(tx);
      const taxRates = await listTaxRates(tx);
      const methods = await listAllMethods(tx);
      const methodsOfZone = new Map<string, ShippingMethod[]>();
      for (const method of methods) methodsOfZone.set(method.zoneId, [...(methodsOfZone.get(method.zoneId) ?? []), method]);
      return {
        version: BigInt(rows[0]!.version),
        settings,
        zones,
        taxRates,
        methods: new Map(methods.map((method) => [method.id, method])),
        methodsOfZone,
      };
    });
  }
}
