import type { Db, Session } from '@dema/platform';
import { demoCategories, demoProducts } from './demo-catalog.ts';
import * as products from './products.repository.ts';
import { insertCategory } from './categories.repository.ts';
import { recordStockUpdated } from '../events/stock-updated.ts';

/** Where the demo images are served from (see the static route in app.ts). */
export const demoMediaPrefix = '/media/demo/';

/**
 * Loads the demo catalog when the catalog is empty, all in one transaction and under a lock, so
 * instances starting together load it once and a crash mid-way leaves nothing half-loaded.
 * Initial stock is recorded as STOCK_UPDATED (MANUAL) like any product created with stock.
 */
export async function seedDemoCatalog(db: Db): Promise<number> {
  return db.withExclusiveLock('dema:seed:product', async (session) => {
    if ((await products.countProducts(session)) > 0) return 0;
    await session.exec('BEGIN');
    try {
      await insertAll(session);
      await session.exec('COMMIT');
    } catch (error) {
      await session.exec('ROLLBACK');
      throw error;
    }
    return demoProducts.length;
  });
}

async function insertAll(tx: Session): Promise<void> {
  const categoryIds = new Map<string, string>();
  for (const category of demoCategories) {
    categoryIds.set(category.slug, await insertCategory(tx, category));
  }
  for (const [index, demo] of demoProducts.entries()) {
    // A second apart, in the catalog's order: "newest" lists the demo catalog as it is written, the
    // same on every install, rather than by random id among products created in the same instant.
    const id = await products.insertProduct(
      tx,
      {
        name: demo.name,
        description: demo.description,
        price: demo.price,
        stock: demo.variants ? 0 : demo.stock,
        weightGrams: demo.weightGrams,
        categoryId: categoryIds.get(demo.categorySlug)!,
      },
      index,
    );
    await products.replaceSpecifications(tx, id, demo.specifications);
    await products.replaceImages(
      tx,
      id,
      demo.images.map((file) => `${demoMediaPrefix}${file}`),
    );
    let stock = demo.stock;
    if (demo.variants) {
      await products.replaceVariants(
        tx,
        id,
        demo.variants.map((v) => ({
          name: v.name,
          sku: v.sku,
          price: v.price === null ? null : Number(v.price),
          stock: v.stock,
          weightGrams: v.weightGrams ?? null,
          options: v.options,
        })),
      );
      stock = await products.syncStockWithVariants(tx, id);
    }
    await recordStockUpdated(tx, id, 0, stock, 'MANUAL');
  }
}
