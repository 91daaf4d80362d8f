'use client';
import { formatPrice } from '@dema/contracts';
import { createContext, type ReactNode, useContext } from 'react';

// The store's currency (checkout settings), read once per page by the root layout: catalog and cart
// amounts carry none of their own. Orders, previews and payments say theirs and use it instead.
const StoreCurrency = createContext<string | undefined>(undefined);

export function StoreCurrencyProvider({ currency, children }: { currency: string | undefined; children: ReactNode }) {
  return <StoreCurrency.Provider value={currency}>{children}</StoreCurrency.Provider>;
}

/** The store's ISO 4217 code; `undefined` (formatted as USD) when the API could not say. */
export const useStoreCurrency = (): string | undefined => useContext(StoreCurrency);

/** An amount in the store's currency, for server components that cannot read the context themselves. */
export function Price({ amount }: { amount: number }) {
  return <>{formatPrice(amount, useStoreCurrency())}</>;
}
