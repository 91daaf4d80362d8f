import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import {
  CatalogImportJob,
  CatalogImportReport,
  Category,
  CategoryList,
  CategoryRef,
  cacheConfigs,
  Product,
  ProductPage,
  ProductVariant,
  StockLevel,
  StockRelease,
  StockReturn,
  StockReservation,
} from '@dema/contracts';
import { compress, type OutboxRelay, platformMigrations, runMigrations, type Infrastructure, type ServiceModule } from '@dema/platform';
import { Catalog } from './catalog.ts';
import { CatalogTransfer } from './catalog-transfer.ts';
import { seedDemoCatalog } from './db/seed-demo.ts';

export type { Catalog } from './catalog.ts';
import { productRoutes } from './routes/products.routes.ts';
import { categoryRoutes } from './routes/categories.routes.ts';
import { stockReservationRoutes } from './routes/stock-reservations.routes.ts';
import { catalogTransferRoutes } from './routes/catalog-transfer.routes.ts';
import { consumeOrderStatusChanges } from './events/order-status-changed.ts';

const migrations = { scope: 'product', dir: fileURLToPath(new URL('./db/migrations/', import.meta.url)) };
const assets = fileURLToPath(new URL('../assets/', import.meta.url));

/**
 * The Product service (seed: Product Service, Product DB): categories, products, variants,
 * specifications, images and stock, in its own database; catalog reads cached (seed: product-list,
 * product-detail); stock changes emit STOCK_UPDATED through its outbox. Reserves and releases the
 * stock of orders for the Order service (in-process as `catalog`, or over `/internal`). Imports and
 * exports the catalog as CSV.
 */
export async function createProductService(infra: Infrastructure): Promise<ServiceModule & { catalog: Catalog; relay: OutboxRelay }> {
  const db = await infra.database('product');
  const applied = await runMigrations(db, [platformMigrations, migrations]);
  // A migration can rewrite product documents (0007 put products without a category in the default
  // one): copies cached before it, in Redis for up to two TTLs, must not be served after it.
  if (applied.length > 0) await infra.cache.invalidate([...cacheConfigs['product-list'].tags]);
  if (infra.config.demoData) {
    const loaded = await seedDemoCatalog(db);
    if (loaded > 0) infra.log.info({ products: loaded }, 'loaded the demo catalog');
  }
  const relay = infra.outboxRelay(db, infra.log.child({ service: 'product' }));
  const catalog = new Catalog(db, infra.cache, relay, {
    'product-list': infra.metrics.countCompressions('product-list', compress),
    'product-detail': infra.metrics.countCompressions('product-detail', compress),
  });
  const transfer = new CatalogTransfer(db, infra.cache, relay, infra.log.child({ service: 'product' }), infra.config.importBodyLimit);
  return {
    name: 'product',
    catalog,
    relay,
    schemas: [
      CategoryRef,
      Category,
      CategoryList,
      ProductVariant,
      Product,
      ProductPage,
      StockLevel,
      StockReservation,
      StockRelease,
      StockReturn,
      CatalogImportReport,
      CatalogImportJob,
    ],
    async routes(app) {
      await app.register(fastifyStatic, { root: assets, prefix: '/media/', maxAge: '1d', immutable: true });
      await productRoutes(app, catalog);
      await categoryRoutes(app, catalog);
      await stockReservationRoutes(app, catalog);
      await catalogTransferRoutes(app, transfer);
    },
    start: () => {
      relay.start();
      consumeOrderStatusChanges(infra.bus, catalog).catch((err: unknown) => infra.log.error({ err }, 'product: cannot consume order status changes'));
    },
    close: () => relay.stop(),
  };
}
