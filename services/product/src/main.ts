import { runProcess } from '@dema/platform';
import { createProductService } from './app.ts';

/** The Product service alone, for running it as its own process (PORT, PRODUCT_DATABASE_URL, …). */
await runProcess('product', [createProductService]);
