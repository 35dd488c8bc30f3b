/**
 * The simulator's regions are the partition's as the scanner knows them (src/core/partition-regions.ts):
 * one list, so the two cannot drift apart.
 */
export { DEFAULT_REGIONS, isOptInRegion, OPT_IN_REGIONS } from '../core/partition-regions.js';
