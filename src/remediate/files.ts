/** Writes a plan to its folder: one script per account and remediation-plan.csv, each atomically. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvFileWriter } from '../io/csv.js';
import { writeFileAtomic } from '../io/files.js';
import { enableRotationCommand } from '../rules/kms-002/remediation.js';
import { byAccount, type RemediationPlan } from './plan.js';
import { accountScript, scriptFileName, type ScriptContext } from './script.js';

export const PLAN_CSV = 'remediation-plan.csv';
export const PLAN_COLUMNS = [
  'account_id', 'region', 'key_id', 'key_arn', 'aliases', 'current_rotation_enabled', 'current_period_days', 'target_period_days', 'command',
] as const;

export interface WrittenPlan {
  dir: string;
  scripts: string[];
  csv: string;
}

export async function writePlanFiles(plan: RemediationPlan, dir: string, ctx: ScriptContext): Promise<WrittenPlan> {
  await mkdir(dir, { recursive: true });
  const scripts: string[] = [];
  for (const [accountId, items] of byAccount(plan.items)) {
    const path = join(dir, scriptFileName(accountId));
    await writeFileAtomic(path, accountScript(plan, accountId, items, ctx), { mode: 0o755 });
    scripts.push(path);
  }
  const csv = join(dir, PLAN_CSV);
  const writer = CsvFileWriter.open(csv, PLAN_COLUMNS);
  try {
    for (const item of plan.items) {
      await writer.write([
        item.accountId,
        item.region,
        item.keyId,
        item.keyArn,
        item.aliases.length ? item.aliases.join('; ') : null,
        item.currentRotationEnabled,
        item.currentPeriodDays,
        item.targetPeriodDays,
        enableRotationCommand(item),
      ]);
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return { dir, scripts, csv };
}
