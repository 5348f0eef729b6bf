/**
 * Model-name resolution (DESIGN.md §2.2): case-insensitive substring rules checked in order, after strip
 * and lowercase; for other pools, exact name first, then the same rules. Expected ids were checked
 * against `resolve_model` in src/cli/conformance/oracle.py.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_MODEL_IDS as ID, resolveInPool, resolveLoweredName, resolveReferenceModel } from './modelNames';

const idOf = (name: string) => resolveReferenceModel(name)?.id;

describe('resolveReferenceModel: substring rules in order', () => {
  it('rule 1: contains "qwen" → Qwen2.5-7B, checked before everything else', () => {
    expect(idOf('Qwen2.5-7B-Instruct')).toBe(ID.qwen7b);
    expect(idOf('qwen-llama-70b')).toBe(ID.qwen7b);
  });

  it('rule 2: "palmyra" or "creative" → Palmyra-Creative-122B, checked before llama', () => {
    expect(idOf('Palmyra')).toBe(ID.palmyra122b);
    expect(idOf('creative writer')).toBe(ID.palmyra122b);
    expect(idOf('llama creative 70b')).toBe(ID.palmyra122b);
  });

  it('rule 3: "llama" then "70b" → Llama-3.1-70B', () => {
    expect(idOf('Llama-3.1-70B-Instruct')).toBe(ID.llama70b);
  });

  it('rule 3: "llama" then "51b" → Nemotron-51B', () => {
    expect(idOf('llama 51b')).toBe(ID.nemotron51b);
  });

  it('rule 3: "llama" then "49b" → Nemotron-Super-49B', () => {
    expect(idOf('Llama-3.3-Nemotron-Super-49B')).toBe(ID.nemotronSuper49b);
  });

  it('rule 3: "llama" then "8b" → ChatQA-1.5-8B if it contains "chatqa", else Llama-3.1-8B', () => {
    expect(idOf('llama3-chatqa-1.5-8b')).toBe(ID.chatqa8b);
    expect(idOf('Llama-3.1-8B')).toBe(ID.llama8b);
  });

  it('rule 3: sizes are checked in the order 70b, 51b, 49b, 8b', () => {
    expect(idOf('llama-70b-8b')).toBe(ID.llama70b);
    expect(idOf('llama-49b-51b')).toBe(ID.nemotron51b);
  });

  it('rule 3: "llama" without a known size is unknown, and does not fall through to later rules', () => {
    expect(idOf('llama')).toBeUndefined();
    expect(idOf('Llama-3.1-405B')).toBeUndefined();
    expect(idOf('llama mistral')).toBeUndefined();
  });

  it('"chatqa" and "8b" without "llama" are unknown', () => {
    expect(idOf('chatqa-8b')).toBeUndefined();
  });

  it('rule 4: "mistral" → Mistral-7B, checked before mixtral', () => {
    expect(idOf('Mistral-7B-Instruct')).toBe(ID.mistral7b);
    expect(idOf('mistral mixtral')).toBe(ID.mistral7b);
  });

  it('rule 5: "mixtral" → Mixtral-8x22B', () => {
    expect(idOf('Mixtral-8x22B')).toBe(ID.mixtral8x22b);
  });

  it('rule 6: "granite" → Granite-3.0-8B (an "8b" without "llama" is not Llama-8B)', () => {
    expect(idOf('granite-3.0-8b')).toBe(ID.granite8b);
  });

  it('rule 7: "gemma" → Gemma-2-27B with temperature 0.1', () => {
    expect(resolveReferenceModel('Gemma-2-27B')).toEqual({ id: ID.gemma27b, temperature: 0.1 });
  });

  it('every other model uses temperature 0', () => {
    for (const name of ['qwen', 'palmyra', 'llama 70b', 'llama 51b', 'llama 49b', 'llama 8b', 'llama chatqa 8b', 'mistral', 'mixtral', 'granite']) {
      expect(resolveReferenceModel(name)?.temperature).toBe(0);
    }
  });

  it('otherwise unknown', () => {
    expect(idOf('GPT-4o')).toBeUndefined();
    expect(idOf('')).toBeUndefined();
  });

  it('strips (Python whitespace) and lowercases the name first', () => {
    expect(idOf('  QWEN  ')).toBe(ID.qwen7b);
    expect(idOf('\u00a0Qwen\u3000')).toBe(ID.qwen7b);
    expect(idOf('LLAMA-3.1-70B')).toBe(ID.llama70b);
  });

  it('matches substrings anywhere, including inside other words', () => {
    expect(idOf('my-gemma-clone')).toBe(ID.gemma27b);
  });
});

describe('resolveLoweredName: the rules alone, on an already lowercased name', () => {
  it('does not lowercase by itself', () => {
    expect(resolveLoweredName('QWEN')).toBeUndefined();
    expect(resolveLoweredName('qwen')?.id).toBe(ID.qwen7b);
  });
});

describe('resolveInPool: exact name first, then the substring rules via the reference id', () => {
  const pool = [
    { name: 'Qwen2.5-7B', referenceId: ID.qwen7b },
    { name: 'qwen-custom' },
    { name: 'Big model', referenceId: ID.llama70b },
    { name: 'Gemma-2-27B-it' },
  ];

  it('prefers an exact name over the substring rules', () => {
    // "qwen-custom" also contains "qwen", which the rules would send to index 0.
    expect(resolveInPool('qwen-custom', pool)).toBe(1);
  });

  it('matches the exact name after strip and lowercase on both sides', () => {
    expect(resolveInPool('  QWEN-CUSTOM\u00a0', pool)).toBe(1);
    expect(resolveInPool('big MODEL', pool)).toBe(2);
  });

  it('falls back to the substring rules, mapped through each model’s referenceId', () => {
    expect(resolveInPool('llama-3.1-70b', pool)).toBe(2);
    expect(resolveInPool('Qwen', pool)).toBe(0);
  });

  it('uses the rules on the pool model’s own name when it has no referenceId', () => {
    expect(resolveInPool('gemma', pool)).toBe(3);
  });

  it('picks the first pool model with that reference id', () => {
    const twins = [{ name: 'A', referenceId: ID.mistral7b }, { name: 'B', referenceId: ID.mistral7b }];
    expect(resolveInPool('mistral', twins)).toBe(0);
  });

  it('is undefined when the rules resolve to a model the pool lacks', () => {
    expect(resolveInPool('mistral', pool)).toBeUndefined();
  });

  it('is undefined for an unknown name', () => {
    expect(resolveInPool('GPT-4o', pool)).toBeUndefined();
    expect(resolveInPool('llama', pool)).toBeUndefined();
  });
});
