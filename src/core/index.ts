/**
 * The public surface of core. The UI imports core only through this file (STYLE.md, dependency rules).
 */
export * from './env/trajectory';
export * from './protocol/actions';
export * from './protocol/modelNames';
export * from './protocol/prompt';
export * from './reward/normalize';
export * from './reward/format';
export * from './reward/costReward';
export { scoreCompletion, totalReward, type RewardBreakdown, type RewardInput, type RewardMetric } from './reward/total';
export { buildExampleTrajectory, exampleEngineRequest } from './run/exampleTrajectory';
export * from './data/dataRoot';
export * from './policy/ports';
export { createByteTokenizer } from './policy/byteTokenizer';
export * from './env/routingEnv';
export { computeMetrics, scoreTrajectory, isScorable, poolModelNameCheck } from './env/metrics';
export * from './run/episodeEvents';
export * from './run/runEpisode';
export * from './run/replay';
export * from './run/scripted';
export * from './engine';
export { createInProcessEngine, type InProcessEngineDeps } from './run/inProcessEngine';
export { createHumanPolicy, NoTurnPendingError, type HumanPolicy } from './run/humanPolicy';
export * from './providers/providerConfig';
export { redactSecrets, REDACTED } from './providers/redact';
export { ProviderCallError, parseRetryAfter } from './providers/callErrors';
export type { FetchLike, FetchInit, FetchResponseLike, BodyReaderLike, Sleep } from './providers/fetchPort';
export type { SetTimer } from './providers/abortControl';
export { withRetries, backoffDelayMs, DEFAULT_RETRY, type RetryOptions } from './providers/retry';
export { createMemoryResponseCache, responseCacheKey, fnv1a64, type ResponseCache, type CachedReply } from './providers/responseCache';
export { createSpendingCap, estimateWorstCaseUsd, type SpendingCap } from './providers/spendingCap';
export { createHttpCandidateCaller, DEFAULT_TIMEOUT_MS, type HttpCandidateCallerDeps } from './providers/httpCandidateCaller';
export * from './providers/poolPresets';
// The UI's view of data, providers and the offline pool (issue 3, UI half).
export * from './data/qaDatasets';
export { OFFLINE_PROVIDER } from './offline/offlinePool';
export { OFFLINE_DATASETS } from './offline/offlineBank';
// The offline pool (DESIGN.md §5): bank loading, simulated models and questions, matching, the caller.
export { loadOfflineBank, OFFLINE_DATA_PATHS, OFFLINE_TASKS, isOfflineTask, type OfflineBank, type OfflineBankStats, type OfflineModel, type OfflineQuestion, type OfflineSplit, type OfflineTask, type LoadOfflineBankOptions } from './offline/offlineBank';
export { offlinePoolModels, offlineBankQuestions, type OfflineQuestionFilter } from './offline/offlinePool';
export { matchBankQuestion, DEFAULT_MATCH_THRESHOLD, type BankMatch, type MatchOptions } from './offline/matchBankQuestion';
export { createOfflineCaller, DEFAULT_OFFLINE_TIMING, type OfflineCallerOptions, type OfflineTiming } from './offline/offlineCaller';
export { simulateOfflineReply, statedAnswer, isCannotHelpReply, DEFAULT_WRONG_ANSWER_SHARE, type OfflineReplyDecision, type OfflineReplyKind, type OfflineReplyOptions } from './offline/offlineReplies';
export { testProviderConnection, CONNECTION_TEST_PROMPT, type ProviderConnectionResult } from './providers/connectionTest';
