import { describe, expect, it } from 'vitest';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { createIncrementalDecoder, findStopString, stopSearchStart } from './stopping';

const bytes = createByteTokenizer();

describe('createIncrementalDecoder', () => {
  it('holds back half a UTF-8 character and emits it whole', () => {
    const d = createIncrementalDecoder(bytes);
    const [a, b, c] = bytes.encode('é!') as [number, number, number]; // C3 A9 21
    expect(d.push(a)).toEqual({ stable: '', tail: '\uFFFD' });
    expect(d.push(b)).toEqual({ stable: 'é', tail: '' });
    expect(d.push(c)).toEqual({ stable: '!', tail: '' });
    expect(d.text).toBe('é!');
  });

  it('concatenates to decode(ids) for mixed text (4-byte characters included), and flush releases a cut character', () => {
    const text = 'a😀 b€c 日本';
    const d = createIncrementalDecoder(bytes);
    const pieces = bytes.encode(text).map((id) => d.push(id).stable);
    expect(pieces.join('') + d.flush()).toBe(text);
    const cut = createIncrementalDecoder(bytes);
    for (const id of bytes.encode('x€').slice(0, 2)) cut.push(id);
    expect(cut.flush()).toBe('\uFFFD');
    expect(cut.text).toBe('x\uFFFD');
  });
});

describe('findStopString', () => {
  it('finds the earliest stop at or after `from`', () => {
    expect(findStopString('a</answer>b</search>', ['</search>', '</answer>'])).toEqual({ stop: '</answer>', index: 1 });
    expect(findStopString('<search>x</sea', ['</search>'])).toBeNull();
    expect(findStopString('abc</search>', ['</search>'], 4)).toBeNull();
    expect(stopSearchStart(10, ['</search>', '</answer>'])).toBe(2);
  });
});
