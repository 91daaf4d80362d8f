import { createContext, type ReactNode, useContext } from 'react';
import type { DemaApi } from './api.ts';

/**
 * The API the screens call and whether a shopper is signed in (the sign-in screens provide both in the app);
 * `restoring` while that is not known yet (the web asks the API at start).
 */
export type ApiContextValue = { api: DemaApi; signedIn: boolean; restoring?: boolean };

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ value, children }: { value: ApiContextValue; children: ReactNode }) {
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi outside ApiProvider');
  return value;
}
