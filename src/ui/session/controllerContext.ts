/** React access to the app controller (engine-backed actions); provided by main.tsx. Null in view-only tests. */
import { createContext, useContext } from 'react';
import type { AppController } from './appController';

export const ControllerContext = createContext<AppController | null>(null);

export function useController(): AppController | null {
  return useContext(ControllerContext);
}
