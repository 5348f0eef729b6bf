// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest';
import { createKeyStore, KEY_STORAGE_NAME } from './keyStore';

const CANARY = 'sk-canary-0123456789abcdef';

function storageText(): string {
  const all: string[] = [];
  for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) all.push(`${s.key(i)}=${s.getItem(s.key(i) ?? '')}`);
  return all.join('\n');
}

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});

describe('keyStore', () => {
  it('keeps keys in memory only until the user opts in', () => {
    const keys = createKeyStore();
    keys.set('openrouter', CANARY);
    expect(keys.get('openrouter')).toBe(CANARY);
    expect(keys.all()).toEqual({ openrouter: CANARY });
    expect(storageText()).not.toContain(CANARY);
    expect(keys.isRemembered()).toBe(false);
  });

  it('writes to localStorage after opting in, including later changes, and says where', () => {
    const keys = createKeyStore();
    keys.set('openrouter', CANARY);
    keys.setRemembered(true);
    expect(localStorage.getItem(KEY_STORAGE_NAME)).toContain(CANARY);
    keys.set('together', 'tk-another-key');
    expect(JSON.parse(localStorage.getItem(KEY_STORAGE_NAME) ?? '{}')).toEqual({ openrouter: CANARY, together: 'tk-another-key' });
    expect(keys.storageLabel).toBe(`localStorage["${KEY_STORAGE_NAME}"]`);
  });

  it('restores remembered keys on the next visit, and opting out removes them from storage only', () => {
    const first = createKeyStore();
    first.set('openrouter', CANARY);
    first.setRemembered(true);
    const second = createKeyStore();
    expect(second.isRemembered()).toBe(true);
    expect(second.get('openrouter')).toBe(CANARY);
    second.setRemembered(false);
    expect(storageText()).not.toContain(CANARY);
    expect(second.get('openrouter')).toBe(CANARY);
  });

  it('forget clears memory and storage; an empty key removes one provider', () => {
    const keys = createKeyStore();
    keys.set('a', CANARY);
    keys.set('b', 'bk-second-key');
    keys.setRemembered(true);
    keys.set('b', '  ');
    expect(keys.all()).toEqual({ a: CANARY });
    keys.forget();
    expect(keys.all()).toEqual({});
    expect(keys.isRemembered()).toBe(false);
    expect(localStorage.getItem(KEY_STORAGE_NAME)).toBeNull();
  });

  it('survives unusable storage (memory only) and a corrupt entry', () => {
    const throwing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); }, removeItem: () => { throw new Error('denied'); } };
    const keys = createKeyStore(throwing);
    keys.setRemembered(true);
    keys.set('a', CANARY);
    expect(keys.get('a')).toBe(CANARY);
    localStorage.setItem(KEY_STORAGE_NAME, '{not json');
    expect(createKeyStore().all()).toEqual({});
  });
});
