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
export { createByteTokenizer } from './tokenizer/byteTokenizer';
export * from './env/routingEnv';
export { computeMetrics, scoreTrajectory, isScorable, poolModelNameCheck } from './env/metrics';
export * from './run/episodeEvents';
export * from './run/runEpisode';
export { fitSettingsToCapacity } from './run/fitSettings';
export * from './run/replay';
export * from './run/scripted';
export * from './engine';
export { createInProcessEngine, type InProcessEngineDeps } from './run/inProcessEngine';
export { createHumanPolicy, NoTurnPendingError, type HumanPolicy } from './run/humanPolicy';
export * from './providers/providerConfig';
export { redactSecrets, REDACTED } from './providers/redact';
export { createMemoryKeyVault, type KeyVault } from './providers/keyVault';
export { ProviderCallError, parseRetryAfter } from './providers/callErrors';
export type { FetchLike, FetchInit, FetchResponseLike, BodyReaderLike, Sleep } from './providers/fetchPort';
export type { SetTimer } from './providers/abortControl';
export { withRetries, backoffDelayMs, DEFAULT_RETRY, type RetryOptions } from './providers/retry';
export { createMemoryResponseCache, responseCacheKey, fnv1a64, type ResponseCache, type CachedReply } from './providers/responseCache';
export { createSpendingCap, estimateWorstCaseUsd, type SpendingCap } from './providers/spendingCap';
export { createHttpCandidateCaller, DEFAULT_TIMEOUT_MS, DEFAULT_ROUND_DEADLINE_MS, CALL_LIMIT_CONTROLS, type HttpCandidateCallerDeps } from './providers/httpCandidateCaller';
export * from './providers/poolPresets';
// The UI's view of data, providers and the offline pool.
export * from './data/qaDatasets';
export { OFFLINE_PROVIDER } from './offline/offlinePool';
export { OFFLINE_DATASETS } from './offline/offlineBank';
// The offline pool (DESIGN.md §5): bank loading, simulated models and questions, matching, the caller.
export { loadOfflineBank, OFFLINE_DATA_PATHS, OFFLINE_TASKS, isOfflineTask, type OfflineBank, type OfflineBankStats, type OfflineModel, type OfflineQuestion, type OfflineSplit, type OfflineTask, type LoadOfflineBankOptions } from './offline/offlineBank';
export { offlinePoolModels, offlineBankQuestions, type OfflineQuestionFilter } from './offline/offlinePool';
export { matchBankQuestion, recordedScoresOf, DEFAULT_MATCH_THRESHOLD, type BankMatch, type MatchOptions } from './offline/matchBankQuestion';
export { createOfflineCaller, DEFAULT_OFFLINE_TIMING, type OfflineCallerOptions, type OfflineTiming } from './offline/offlineCaller';
export { simulateOfflineReply, statedAnswer, isCannotHelpReply, DEFAULT_WRONG_ANSWER_SHARE, type OfflineReplyDecision, type OfflineReplyKind, type OfflineReplyOptions } from './offline/offlineReplies';
export { testProviderConnection, CONNECTION_TEST_PROMPT, type ProviderConnectionResult } from './providers/connectionTest';
// The ONNX decoder builder (DESIGN.md §3): config parsing, weights, q4, graph bytes, float64 reference.
export { parseDecoderConfig, ropeInvFreq, DecoderConfigError, SUPPORTED_MODEL_TYPES, type DecoderConfig, type DecoderModelType, type Llama3RopeScaling } from './onnx/decoderConfig';
export { assertDecoderWeights, expectedWeightShapes, mixWeights, parameterCount, randomDecoderWeights, lmHeadWeight, linearPrefix, linearShape, LINEAR_NAMES, WeightShapeError, type DecoderWeights, type WeightTensor, type UniformSource, type UniformRng, type LinearName } from './onnx/weights';
export { quantizeQ4, dequantizeQ4, Q4_BLOCK_SIZE, QuantizationError, type Q4Weight } from './onnx/quantizeQ4';
export { buildDecoderModel, decoderInputs, decoderOutputs, pastKeyName, pastValueName, presentKeyName, presentValueName, DECODER_OPSET, DecoderBuildError, type BuildDecoderOptions } from './onnx/buildDecoder';
export { MASK_MIN, type Precision } from './onnx/decoderGraph';
export { referenceForward, type ReferenceKvCache, type ReferenceOutput, type ReferenceOptions } from './onnx/referenceForward';
export { encodeModel, readModelSummary, type ModelData, type ModelSummary } from './onnx/onnxProto';
export { readDecoderWeights, readOnnxInitializers, DecoderWeightsReadError, type ReadDecoderWeights } from './onnx/readDecoderWeights';
export { ProtobufTooLargeError, ProtobufDecodeError, PROTOBUF_MAX_BYTES } from './onnx/protobuf';
export { createSeededUniform } from './onnx/weights';
// Sharing (DESIGN.md §8): share links (#s=v1.…), bundles, and the secret scan before export.
export * from './share/shareState';
export { FIELDS, CONFIG_FIELDS, TRAJECTORY_FIELDS, EVALUATION_FIELDS } from './share/shareFields';
export { deepEqual, type Field, type Table, type TableOf, type WireMode } from './share/schema';
export * from './share/shareLink';
export * from './share/bundle';
export * from './share/secrets';
// The demo gallery: recorded trajectories of the embedded policies, shown on first load.
export { parseDemoGallery, serializeDemoGallery, DEMO_GALLERY_FILE, DEMO_GALLERY_FORMAT, DEMO_GALLERY_VERSION, DEMO_CATEGORIES, DemoGalleryError, type DemoGallery, type DemoEntry, type DemoRun, type DemoCategory, type DemoGalleryParseResult } from './demo/demoGallery';
// Policy runtime: seeded rng, logits math, processors, sampler, stopping, decode loop.
export { createRng, restoreRng, RngSeedError, type Rng, type RngSnapshot } from './math/rng';
export { logSoftmax, softmax, argmax, topK, logSumExp, NonFiniteLogitsError } from './math/logits';
export * from './policy/logitsProcessors';
export { sampleToken, drawCategorical, createSamplingWarpers, checkSamplingParams, type SamplingParams, type SampledToken, type SampleOptions } from './policy/sampling';
export { createCostBias, normalisePrices, type CostBias, type CostBiasOptions } from './policy/costBias';
export { createIncrementalDecoder, findStopString, stopSearchStart, type IncrementalDecoder, type DecodedPiece, type StopReason } from './policy/stopping';
export { checkTokenizerFitsModel, TokenizerMismatchError, type LanguageModel, type ForwardOptions } from './policy/languageModel';
export { commonPrefixLength, planPrefill, prefillContext, EmptyContextError, type PrefillPlan } from './policy/kvPrefix';
export { buildModelInput, frameChatTemplate, promptEndInContext, NO_CHAT_FRAMING, USER_MESSAGE_SENTINEL, ChatTemplateError, type ChatFraming } from './policy/tokenizedChat';
export { generateTokens, generateToEnd, generateGroup, type GenerationEvent, type GenerationResult, type GenerateTokensOptions } from './policy/decodeLoop';
export { createLanguageModelPolicy, type LanguageModelPolicy, type LanguageModelPolicyOptions, type TokenEvent } from './policy/languageModelPolicy';
export { adapterLabel, softwareAdapterEvidence, isSoftwareAdapter, softwareAdapterChoice, largeModelChoice, probeFailedChoice, shouldProbe, decodeTokensPerS, chooseMeasuredDevice, deviceChoiceKey, createDeviceChoiceCache, formatCount, PROBE_MAX_MODEL_BYTES, type AdapterDescription, type AutoDeviceChoice, type AutoDeviceRule, type DecodeTiming, type DeviceChoiceCache } from './policy/deviceChoice';
// Model folders, sources and checkpoint conversion (DESIGN.md §3).
export { ModelSourceError, createMemoryModelSource, createMemoryModelSink, memoryByteSource, openByteSource, type ByteSource, type ModelSource, type ModelSink, type ReadOptions, type ReadProgress } from './model/modelSource';
export { createUrlModelSource, normalizeUrlPrefix, type UrlModelSourceDeps } from './model/urlModelSource';
export { loadModelFolder, chooseOnnxFile, checkDecoderInterface, tokenizerVocabSize, ModelFolderError, ONNX_VARIANTS, DEFAULT_ONNX_PREFERENCE, MODEL_FOLDER_FILES, type LoadedModelFolder, type LoadModelFolderOptions, type ModelFolderErrorKind, type OnnxVariant } from './model/modelFolder';
export { readSafetensorsHeader, readSafetensors, readFloatTensor, writeSafetensors, writeSafetensorsChunks, parseSafetensorsIndex, SafetensorsError, type SafetensorsHeader, type SafetensorsEntry, type SafetensorsDtype, type TensorToWrite } from './model/safetensors';
export { openCheckpoint, CheckpointError, type OpenedCheckpoint } from './model/checkpoint';
export { convertCheckpoint, runConversion, convertedOnnxPath, CONVERTER_NAME, type ConvertEvent, type ConvertOptions, type ConvertResult } from './model/convert';
export { encodeModelWithExternalData, needsExternalData, type EncodedModel, type ExternalDataOptions } from './model/externalData';
export { ROUTER_R1_PRESETS, findPreset, presetForUrl, presetUrlPrefix, presetRouterJson, hfResolveUrl, type RouterR1Preset } from './model/presets';
export { parseRouterJson, serializeRouterJson, usesProtocolGrammar, folderDecodingOf, RouterJsonError, ROUTER_JSON_FILE, type RouterJson } from './model/routerJson';
export { TINY_ROUTER_NAME } from './model/tinyRouter';
// Model policies in the engine: the runtime port, the kept model, forks, streamed tokens.
export { createPolicyModels, modelKey, NoPolicyRuntimeError, type LoadedPolicyModel, type PolicyRuntime, type PolicyModels, type PolicyOptions } from './run/policyModels';
export { forkPorts, ForkError, type ForkPorts } from './run/fork';
export { withTokenEvents, type TokenSink } from './run/withTokenEvents';
export { TINY_ROUTER_PROMPT } from './model/tinyRouter';
// Training (DESIGN.md §4): RL (advantages, losses with gradients, schedules, the train loop), the Learner port, AdamW.
export { grpoAdvantages, broadcastToTokens, terminalRewards, gaeAdvantages, maskedWhiten, DEFAULT_GRPO, type GrpoOptions, type GaeInput } from './rl/advantages';
export { clippedPolicyTerm, k3Term, valueTerm, entropyOfLogits, ppoClipLoss, klPenalty, entropyLoss, valueLoss, rlObjective, type TokenTerm, type LearnerForward, type ObjectiveParts, type ObjectiveResult } from './rl/losses';
export { adamWStep, clipGradNorm, globalGradNorm, createAdamWState, cloneAdamWState, DEFAULT_ADAMW, type AdamWConfig, type AdamWState } from './learner/adamw';
export { learningRate, checkLrSchedule, LrScheduleError, type LrSchedule } from './rl/schedule';
export { cloneParams, copyParamsInto, assertSameLayout, firstNonFinite, zerosLike, paramCount, ParamLayoutError, type ParamMap } from './learner/paramMap';
export { buildTrainInputs, tokenWeights, selectRows, sliceTrainBatch, maskedMean, TrainBatchError, type RolloutSequence, type TrainInputs, type TrainBatch, type LossConfig, type TokenWeighting } from './learner/trainBatch';
export type { Learner, LearnerOutput, LearnerCallOptions } from './learner/learner';
export { createTrainConfig, validateTrainConfig, DEFAULT_TRAIN_CONFIG, TrainConfigError, type TrainConfig, type RlAlgorithm, type GaeOptions } from './rl/trainConfig';
export { rewardMetrics, type RewardMetrics, type TrainStepMetrics, type StepTimeMs, type ExcludedRollout } from './rl/trainMetrics';
export { createMemoryCheckpointStore, cloneCheckpoint, TRAIN_CHECKPOINT_VERSION, type CheckpointStore, type MemoryCheckpointStore, type TrainCheckpoint, type CheckpointReason } from './rl/checkpointStore';
export { sampleQuestionIndices, rolloutProblem, collectRollouts, scoreRollouts, type Rollout, type RolloutPort, type RolloutRequest, type KeptRollout } from './rl/rollouts';
export { trainLoop, runTrainLoop, type TrainEvent, type TrainDeps, type TrainResult } from './rl/trainLoop';
export { createEpisodeRollout, trajectorySequence, type EpisodeRolloutDeps } from './rl/episodeRollout';
export { createOfflinePoolRollout, type OfflinePoolRolloutOptions } from './rl/offlinePoolRollout';
export { createSwappableModel, type SwappableModel } from './rl/swappableModel';
// Training graphs (DESIGN.md §4): reverse-mode autodiff over the fp32 decoder graph, losses, LoRA.
export { buildTrainingGraph, buildTrainingModel, gradName, TRAIN_TOKEN_INPUTS, TrainingGraphError, type TrainableSet, type TrainingGraphOptions, type TrainingGraph, type TrainableParam } from './autodiff/trainGraph';
export { LOSS_INPUTS, LOSS_OUTPUTS, type TrainingLoss, type LossReduction } from './autodiff/lossGraph';
export { crossEntropyFromLogits, clippedPolicyLossFromLogits, tokenStats, type TokenRows, type PolicyRows, type LossValue, type PolicyLossValue, type TokenStats } from './autodiff/lossReference';
export { initLora, mergeLora, loraTargets, loraShapes, loraAName, loraBName, LORA_ATTENTION_QV, LORA_ALL_LINEAR, LoraConfigError, type LoraConfig, type LoraTarget } from './autodiff/lora';
export { trainingFeeds, defaultPositionIds, TrainingFeedError, type TrainingBatch, type PolicyHyperParams, type TensorFeed } from './learner/trainFeeds';
export { referenceTrainingLoss, mergeLoraFloat64, float64Weights, type ReferenceTrainingResult, type ReferenceWeights } from './autodiff/referenceTraining';
export { appendBackward, type BackwardOptions } from './autodiff/autodiff';
export { UnsupportedGradientError, VJP_RULES } from './autodiff/vjpRules';
// Evaluation (DESIGN.md §7): runs as event streams, baselines as policies, estimates, Pareto, diagnostics, exports.
export * from './eval/evalTypes';
export { runEvaluation, runEvaluationToEnd, validateEvalSpec, evalSpecKey, initialEvalState, EvalResumeError, RUN_STOPPING_ERRORS, type EvalDeps, type PolicyMethodPorts, type PolicyEpisodeContext } from './eval/runEvaluation';
export { createBaselinePolicy, baselinePlan, TEACHER_METHOD_LABEL, costOrder, largestIndex, oracleIndex, baselineQuery, repliesInContext, type BaselineSpec, type BaselineContext } from './eval/baselines';
export { methodId, parseMethodId, teacherMethodId, EvalMethodError, UnknownMethodIdError, METHOD_ID_FORMS } from './eval/methodIds';
export { extractDirectAnswer, isCannotHelp } from './eval/directAnswer';
export { withQuestionBudget, type QuestionBudget } from './eval/questionBudget';
export { estimateRun, type RunEstimate, type MethodEstimate, type EstimateOptions, type Range } from './eval/estimateRun';
export { rowOf, summarizeMethod, summarizeRows, rowsByMethod, routingShareOf, isCollapsed, toEvaluationSummary, COLLAPSE_SHARE } from './eval/evalRows';
export { paretoFront, isDominated, type ParetoPoint } from './eval/pareto';
export { datasetTable, paretoPoints, routingShareTable, routingShare, histogram, methodHistograms, type DatasetTableRow, type ParetoPlotPoint, type RoutingShareRow, type HistogramBin } from './eval/diagnostics';
export * from './eval/paperResults';
export { trajectoriesToJsonl, parseTrajectoriesJsonl, rowsToCsv, parseRowsCsv, parseCsvRecords, CSV_COLUMNS, EvalExportError } from './eval/exportResults';
export { isHeldOutQuestion, splitQuestions, HELD_OUT_MODULUS } from './eval/heldOut';
export { createOnnxLearner, OnnxLearnerError, DEFAULT_MAX_RUN_BYTES, type OnnxLearner, type OnnxLearnerOptions, type OpenTrainSession, type TrainSession, type SupervisedOutput } from './learner/onnxLearner';
export { estimateTrainMemory, maxRowsPerRun, worstCaseSeqLen, checkTrainingFits, describeRuntimeParts, formatBytes, type MemoryEstimateOptions, type TrainMemoryEstimate, type RuntimeMemoryParts, type JsMemoryParts, type FitCheckOptions } from './learner/memoryEstimate';
// The embedded default policy's data: our byte-level BPE tokenizer, the cost-aware teacher, corpus and warm-up data.
export { trainByteLevelBpe, bpeTokenizerConfig, BpeTrainError, BPE_SPECIAL_TOKENS, ROUTER_TAG_TOKENS, DEFAULT_BPE_VOCAB_SIZE, type BpeTrainOptions, type TrainedBpe, type BpeTrainStats, type AddedTokenJson } from './tokenizer/bpeTrainer';
export { byteLevelAlphabet, preTokenize, splitAddedTokens } from './tokenizer/byteLevel';
export { createBpeTokenizer, type BpeTokenizer } from './tokenizer/bpeTokenizer';
export { createTeacherPolicy, teacherPlan, recordedAccuracy, trainingBankQuestions, assertTrainingQuestions, bankTeacherPlan, bankTeacherTrust, HeldOutLeakError, teacherConfirms, teacherQuery, DEFAULT_TEACHER_MAX_ROUTES, DEFAULT_CONFIRM_BELOW_ALPHA, type TeacherPlan, type TeacherOptions, type TeacherContext } from './defaultPolicy/teacher';
export { toQuestionRecord, byteTokenizer, runTeacherEpisodes, framedText, buildTokenizerCorpus, buildWarmupDatasets, shuffled, DEFAULT_TEACHER_ALPHAS, type TeacherRunOptions, type CorpusOptions, type TokenizerCorpus, type WarmupDataset } from './defaultPolicy/corpus';
export { parseEmbeddedIndex, variantForAlpha, costBiasStrengthForAlpha, COST_BIAS_PER_ALPHA, EMBEDDED_INDEX_FILE, EmbeddedIndexError, type EmbeddedIndex } from './defaultPolicy/defaultModel';
