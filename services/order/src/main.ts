import { runProcess } from '@dema/platform';
import { createOrderService } from './app.ts';

/** The Order service alone (PORT, ORDER_DATABASE_URL, DEMA_UPSTREAM_PRODUCT, DEMA_SERVICE_TOKEN, …). */
await runProcess('order', [(infra) => createOrderService(infra)]);
