/**
 * The simulated AWS organization: an HTTP server speaking the real wire protocols of KMS,
 * Organizations, STS and EC2 DescribeRegions, for tests, the demo and benchmarks. The scanner
 * core never imports this module.
 */
export { startSimulator } from './server.js';
export { DEFAULT_REFERENCE_DATE, generateScenario, type GenerateOptions } from './scenario/generate.js';
export { evolveScenario, type EvolveOptions, type StepChanges } from './scenario/evolve.js';
export { loadScenarioFile, scenarioFromJson } from './scenario/file.js';
export { keysInScope, type KeyRef, type KeyScopeFilter } from './scenario/in-scope.js';
export { READER_ROLE_NAME, simAccount, simKey, simScenario, type AccountInput, type KeyInput, type ScenarioInput } from './scenario/builders.js';
export { scenarioIssues, type ScenarioIssue } from './scenario/validate.js';
export { KEY_KINDS, type KeyKind } from './scenario/key-mix.js';
export { DEFAULT_REGIONS, OPT_IN_REGIONS } from './regions.js';
export type * from './types.js';
export { independentEmulatorFaults, midUpdatePrimaryRegionFaults, transitionalKeyFaults } from './profiles.js';
export type * from './securityhub/types.js';
