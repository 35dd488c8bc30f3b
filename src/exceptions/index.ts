/** The exceptions register (issue #6): load, apply to judged keys, summarise for the reports. */
export { DEFAULT_EXCEPTION_MAX_DAYS, loadExceptions, type LoadExceptionsOptions } from './load.js';
export { aliasGlob, applyExceptions, registerNeedsTags, scopeMatches, type ScopeMatch } from './match.js';
export { EXPIRING_SOON_DAYS, entryState, isExpired } from './dates.js';
export { createExceptionUsage, unusedEntries, DEFAULT_MAX_KEYS_PER_ENTRY, type CoveredKey, type EntryUsage, type ExceptionUsage } from './usage.js';
export { EXCEPTIONS_COLUMNS, exceptionsSummary, writeExceptionsCsv } from './report.js';
export { EXCEPTIONS_EXTENSION, type ExceptionsSummary, type ExceptionSummaryEntry } from './summary.js';
export type { ExceptionEntry, ExceptionRegister, ExceptionScope, ExceptionState } from './types.js';
