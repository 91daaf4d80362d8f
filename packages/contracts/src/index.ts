export * from './permissions.ts';
export * from './problem.ts';
export * from './money.ts';
export * from './events.ts';
export * from './cache-configs.ts';
export * from './catalog.ts';
export * from './identity.ts';
export * from './orders.ts';
