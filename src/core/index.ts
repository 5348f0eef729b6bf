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
