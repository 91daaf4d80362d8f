import { runProcess } from '@dema/platform';
import { createUserService } from './app.ts';

/** The User service alone, for running it as its own process (PORT, USER_DATABASE_URL, …). */
await runProcess('user', [createUserService]);
