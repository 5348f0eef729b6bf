import { createScriptedCaller } from '../run/scripted';
import type { CandidateCallRequest } from '../policy/ports';
import { describeCandidateCallerContract } from './candidateCallerContract';

const req = (name: string): CandidateCallRequest => ({
  poolIndex: 0,
  model: { name, provider: 'scripted', providerModelId: name, inputPer1M: 1, outputPer1M: 1 },
  prompt: 'Q: what is twelve?',
  query: ' what is twelve?',
  params: { temperature: 0, topP: 1, seed: 42, maxTokens: 512 },
});

describeCandidateCallerContract('scripted caller', () => ({
  caller: createScriptedCaller({ A: 'Twelve is 12.', B: { kind: 'rate-limit', message: 'slow down' } }),
  ok: req('A'),
  failing: { req: req('B'), kind: 'rate-limit' },
}));
