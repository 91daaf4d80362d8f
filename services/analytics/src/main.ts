import { runProcess } from '@dema/platform';
import { createAnalyticsService } from './app.ts';

/** The Analytics service alone, for running it as its own process (PORT, ANALYTICS_DATABASE_URL, AMQP_URL, …). */
await runProcess('analytics', [createAnalyticsService]);
