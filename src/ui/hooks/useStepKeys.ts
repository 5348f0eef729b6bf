/**
 * Keyboard stepping for the whole page: ArrowRight / j forward, ArrowLeft / k back, Home / End.
 * Listens on window so it works right after load, wherever focus is, except while typing in a field.
 */
import { useEffect } from 'react';
import type { AppState } from '../store/appStore';
import { useAppStore } from '../store/useApp';

type StepCommand = keyof Pick<AppState, 'stepForward' | 'stepBack' | 'stepToStart' | 'stepToEnd'>;

const KEY_COMMANDS: Record<string, StepCommand> = {
  ArrowRight: 'stepForward',
  j: 'stepForward',
  ArrowLeft: 'stepBack',
  k: 'stepBack',
  Home: 'stepToStart',
  End: 'stepToEnd',
};

/** Inputs where arrow keys and letters already mean something to the user. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'button', 'submit', 'reset'].includes(target.type);
}

export function useStepKeys(): void {
  const store = useAppStore();
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTypingTarget(e.target)) return;
      const command = KEY_COMMANDS[e.key];
      if (command === undefined || store.getState().trajectory === null) return;
      e.preventDefault(); // Home/End/arrows would otherwise scroll the page
      store.getState()[command]();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}
