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
