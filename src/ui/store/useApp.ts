/**
 * React access to the app store: components select narrow slices of state with `useApp(selector)`.
 * The store instance comes from the composition root through AppStoreContext.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from './appStore';

export const AppStoreContext = createContext<AppStore | null>(null);

export function useAppStore(): AppStore {
  const store = useContext(AppStoreContext);
  if (store === null) throw new Error('useApp needs an <AppStoreContext.Provider value={createAppStore()}> above it (see src/main.tsx).');
  return store;
}

/** Select from the store; the selector must return a stable value (a primitive, or a memoised object). */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStore(), selector);
}
