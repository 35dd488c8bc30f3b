/**
 * --publish: where a finished run's findings go after the scan (today: securityhub). The outcome is
 * written to the run folder (securityhub-publish.json) and logged; an error there never crashes the run.
 */
import { join } from 'node:path';
import { baseCredentials } from '../aws/credentials.js';
import { Throttle } from '../aws/throttle.js';
import type { Config } from '../config/schema.js';
import type { FrameworkSelection } from '../frameworks/index.js';
import type { Logger } from '../io/log.js';
import { writeFileAtomic } from '../io/files.js';
import type { ScanDeps } from '../engine/types.js';
import { PUBLISH_FILE } from '../core/run-files.js';
import type { PublishSecurityHubOutcome } from '../publish/securityhub.js';


export interface PublishContext {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  outDir: string;
  resultsPath: string;
  previousResultsPath: string | null;
  frameworks: FrameworkSelection;
  homeRegion: string;
  deps?: Partial<ScanDeps>;
}

/** The settings a publish reads (a scan's configuration, or a merge's). */
export type PublishSettings = Pick<Config, 'publish' | 'securityHubRegion' | 'concurrency' | 'quotaSafety' | 'maxAttempts'>;

export async function publishFindings(config: PublishSettings, ctx: PublishContext): Promise<{ ok: boolean; securityhub: PublishSecurityHubOutcome | null }> {
  if (!config.publish.includes('securityhub')) return { ok: true, securityhub: null };
  // The Security Hub client is loaded only for a run that publishes (issue 15: lean loading).
  const { publishToSecurityHub } = await import('../publish/securityhub.js');
  const timing = ctx.deps?.timing ?? {};
  const throttle = new Throttle({
    concurrency: config.concurrency,
    quotaSafety: config.quotaSafety,
    quotaOverrides: {},
    maxAttempts: config.maxAttempts,
    baseDelayMs: timing.retryBaseDelayMs,
    throttlingBaseDelayMs: timing.retryThrottlingBaseDelayMs,
    maxDelayMs: timing.retryMaxDelayMs,
    ...(timing.sleep ? { sleep: timing.sleep } : {}),
    ...(timing.random ? { random: timing.random } : {}),
  });
  const region = config.securityHubRegion ?? ctx.homeRegion;
  let outcome: PublishSecurityHubOutcome;
  try {
    outcome = await publishToSecurityHub({
      resultsPath: ctx.resultsPath,
      previousResultsPath: ctx.previousResultsPath,
      frameworks: ctx.frameworks,
      region,
      throttle,
      session: baseCredentials(ctx.deps?.credentials),
      ...(ctx.deps?.endpoint ? { endpoint: ctx.deps.endpoint } : {}),
    });
  } catch (err) {
    // Unexpected (a bug or an unreadable previous run): recorded, never a crash of a finished scan.
    outcome = { service: 'securityhub', region, productAccountId: '', active: 0, archived: 0, imported: 0, requests: 0, failed: [], error: { code: 'PublishFailed', operation: 'securityhub:BatchImportFindings', message: (err as Error).message } };
  } finally {
    throttle.close();
  }
  await writeFileAtomic(join(ctx.outDir, PUBLISH_FILE), JSON.stringify(outcome, null, 2) + '\n');
  const ok = outcome.error === null && outcome.failed.length === 0;
  const fields = { region: outcome.region, account: outcome.productAccountId, active: outcome.active, archived: outcome.archived, imported: outcome.imported, requests: outcome.requests, failed: outcome.failed.length };
  if (outcome.error) ctx.logger.error({ ...fields, error: outcome.error }, `Security Hub publish failed: ${outcome.error.code} (${outcome.error.message})`);
  else if (outcome.failed.length) ctx.logger.error({ ...fields, firstFailures: outcome.failed.slice(0, 5) }, `Security Hub rejected ${outcome.failed.length} finding(s) after retries`);
  else ctx.logger.info(fields, 'findings published to Security Hub');
  return { ok, securityhub: outcome };
}
