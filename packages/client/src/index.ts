export { createDemaClient, type DemaClient, type DemaClientOptions, type DemaMethod, type DemaResponse } from './client.ts';
export { DemaApiError, describeFailure } from './errors.ts';
export type { AuthStrategy, AuthTransport } from './auth.ts';
export { tokenAuth, memoryTokenStore, type TokenStore, type StoredTokens, type TokenAuthOptions } from './token-auth.ts';
export type { RetryOptions } from './retry.ts';
export { login, signup, logout } from './session.ts';
export { placeOrder, newIdempotencyKey, watchOrderStatus, orderStatusSubscription, type WatchOrderStatusOptions, type WebSocketImpl } from './orders.ts';
export type { paths, components, operations } from './generated/openapi.ts';
