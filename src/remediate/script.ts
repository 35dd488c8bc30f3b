/**
 * One bash script per account: checks it runs as the right account, then for each key reads the
 * rotation status, skips a key already rotating within the policy (so a re-run is safe), enables
 * rotation, and re-reads the status to verify. `set -euo pipefail`: the first error stops it.
 * Every value written has passed the strict checks in plan.ts and is single-quoted anyway.
 */
import { ACCOUNT_ID_PATTERN, KEY_ID_PATTERN, REGION_PATTERN } from '../core/names.js';
import { shellQuote } from '../core/text.js';
import { DEFAULT_ROTATION_PERIOD_DAYS, effectivePeriodDays } from '../rules/kms-002/period.js';
import { enableRotationCommand } from '../rules/kms-002/remediation.js';
import { scriptAliases, type PlanItem, type RemediationPlan } from './plan.js';
import { checked, checkedPeriod, commentText } from './validate.js';

/** Every value a script sets is single-quoted, checked ids included. */
const quoted = (value: string): string => shellQuote(value, 'always');

export interface ScriptContext {
  toolVersion: string;
  generatedAt: string;
}

export function scriptFileName(accountId: string): string {
  return `remediate-${checked(accountId, ACCOUNT_ID_PATTERN, 'account id', 'remediation plan')}.sh`;
}

export function accountScript(plan: RemediationPlan, accountId: string, items: readonly PlanItem[], ctx: ScriptContext): string {
  const where = `${plan.source}: account ${accountId}`;
  checked(accountId, ACCOUNT_ID_PATTERN, 'account id', where);
  const name = commentText(items[0]?.accountName);
  const file = scriptFileName(accountId);
  const header = [
    '#!/usr/bin/env bash',
    `# kms-rotation-audit remediation plan for AWS account ${accountId}${name ? ` (${name})` : ''}`,
    `# From scan ${commentText(plan.scanId, 80)} (finished ${commentText(plan.finishedAt, 40)}), generated ${commentText(ctx.generatedAt, 40)} by kms-rotation-audit ${commentText(ctx.toolVersion, 40)}.`,
    `# Rule KMS-002: automatic rotation enabled, every ${plan.maxRotationDays} days or less.`,
    `# Enables automatic rotation on ${items.length} KMS key${items.length === 1 ? '' : 's'} that failed the rule. Approved exceptions and keys`,
    '# the rule does not apply to are not listed; multi-Region keys are changed on their primary only.',
    '#',
    '# Usage:',
    `#   ./${file} --profile NAME`,
    '#       run as this AWS CLI profile;',
    `#   ./${file} --role-arn ARN [--external-id ID] [--profile NAME]`,
    '#       assume this role first (aws sts assume-role), from the profile or the environment;',
    '#   add --dry-run to only show what would change.',
    '# The identity needs kms:GetKeyRotationStatus and kms:EnableKeyRotation on these keys.',
    '# Stops at the first error. Safe to run again: keys already rotating within the policy are skipped.',
    'set -euo pipefail',
    '',
    `readonly ACCOUNT_ID=${quoted(accountId)}`,
    `readonly MAX_ROTATION_DAYS=${quoted(String(plan.maxRotationDays))}`,
    `readonly STS_REGION=${quoted(checked(plan.homeRegion, REGION_PATTERN, 'home region', where))}`,
    `readonly DEFAULT_ROTATION_DAYS=${quoted(String(DEFAULT_ROTATION_PERIOD_DAYS))} # EnableKeyRotation without --rotation-period-in-days`,
    '',
  ];
  return [...header, ...PRELUDE, ...items.flatMap((item) => keyLines(item, where)), ...EPILOGUE].join('\n') + '\n';
}

function keyLines(item: PlanItem, where: string): string[] {
  const region = checked(item.region, REGION_PATTERN, 'region', where);
  const keyId = checked(item.keyId, KEY_ID_PATTERN, 'key id', where);
  const args = [quoted(region), quoted(keyId)];
  if (item.periodArg !== null) args.push(quoted(String(checkedPeriod(item.periodArg, 'rotation period', where))));
  const aliases = scriptAliases(item);
  const now = item.currentRotationEnabled === true ? `rotation every ${effectivePeriodDays(item.currentPeriodDays)} days` : item.currentRotationEnabled === false ? 'rotation disabled' : 'rotation status unknown';
  return [
    `# ${aliases.length ? aliases.join(', ') : '(no alias)'}: ${now} -> every ${item.targetPeriodDays} days`,
    `#   ${enableRotationCommand(item)}`,
    `enable_rotation ${args.join(' ')}`,
  ];
}

const PRELUDE = String.raw`usage() {
  sed -n '/^# Usage:/,/^# Stops/p' "$0" | sed 's/^# \{0,1\}//'
}
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 64; }
fail() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

profile=''
role_arn=''
external_id=''
dry_run=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --profile) [ "$#" -ge 2 ] || die '--profile needs a value'; profile="$2"; shift 2 ;;
    --role-arn) [ "$#" -ge 2 ] || die '--role-arn needs a value'; role_arn="$2"; shift 2 ;;
    --external-id) [ "$#" -ge 2 ] || die '--external-id needs a value'; external_id="$2"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
if [ -z "$profile" ] && [ -z "$role_arn" ]; then
  usage >&2
  die 'give --profile NAME or --role-arn ARN'
fi
if [ -n "$external_id" ] && [ -z "$role_arn" ]; then die '--external-id needs --role-arn'; fi
if [ -n "$profile" ]; then
  # The profile, not whatever keys happen to be in the environment (the CLI would prefer those).
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
  export AWS_PROFILE="$profile"
fi

if [ -n "$role_arn" ]; then
  assume=(aws sts assume-role --region "$STS_REGION" --role-arn "$role_arn" --role-session-name kms-rotation-remediate
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  if [ -n "$external_id" ]; then assume+=(--external-id "$external_id"); fi
  credentials="$("${"$"}{assume[@]}")"
  read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"$credentials"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
  unset AWS_PROFILE
fi

caller_account="$(aws sts get-caller-identity --region "$STS_REGION" --query Account --output text)"
if [ "$caller_account" != "$ACCOUNT_ID" ]; then
  fail "these credentials belong to account $caller_account; this plan is for account $ACCOUNT_ID"
fi

changed=0
already=0

# Prints "enabled period" for a key: "True 365", "False None", ...
rotation_status() {
  aws kms get-key-rotation-status --region "$1" --key-id "$2" \
    --query '[KeyRotationEnabled,RotationPeriodInDays]' --output text
}

# The period as a number: AWS's default when the answer leaves it out ("None").
period_or_default() {
  if [[ "$1" =~ ^[0-9]+$ ]]; then printf '%s' "$1"; else printf '%s' "$DEFAULT_ROTATION_DAYS"; fi
}

# Compliant: rotation enabled and the period within the policy.
compliant() {
  [ "$1" = 'True' ] && [ "$(period_or_default "$2")" -le "$MAX_ROTATION_DAYS" ]
}

# enable_rotation REGION KEY_ID [PERIOD_DAYS]   (no PERIOD_DAYS: AWS's default period)
enable_rotation() {
  local region="$1" key_id="$2" period="${"$"}{3:-}" status enabled current
  # A plain assignment, so a failed AWS call stops the script (set -e).
  status="$(rotation_status "$region" "$key_id")"
  read -r enabled current <<<"$status"
  if compliant "$enabled" "$current"; then
    printf 'already compliant  %s %s (rotation every %s days)\n' "$region" "$key_id" "$(period_or_default "$current")"
    already=$((already + 1))
    return 0
  fi
  if [ "$dry_run" -eq 1 ]; then
    printf 'would enable       %s %s (now enabled=%s; target every %s days)\n' "$region" "$key_id" "$enabled" "${"$"}{period:-$DEFAULT_ROTATION_DAYS}"
    return 0
  fi
  if [ -n "$period" ]; then
    aws kms enable-key-rotation --region "$region" --key-id "$key_id" --rotation-period-in-days "$period"
  else
    aws kms enable-key-rotation --region "$region" --key-id "$key_id"
  fi
  status="$(rotation_status "$region" "$key_id")"
  read -r enabled current <<<"$status"
  if ! compliant "$enabled" "$current"; then
    fail "$region $key_id: after enable-key-rotation the status reads enabled=$enabled period=$current"
  fi
  printf 'enabled            %s %s (rotation every %s days)\n' "$region" "$key_id" "$(period_or_default "$current")"
  changed=$((changed + 1))
}
`.split('\n');

const EPILOGUE = ['', 'printf \'done: %s changed, %s already compliant\\n\' "$changed" "$already"'];
