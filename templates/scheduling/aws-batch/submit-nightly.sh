#!/usr/bin/env bash
# Submits one sharded kms-rotation-audit run to AWS Batch: an array job of N shards (each reads
# its index from AWS_BATCH_JOB_ARRAY_INDEX), then a merge job that depends on the whole array
# (Batch starts it only after every child succeeded). Run it nightly from cron, a CI schedule, or
# EventBridge Scheduler -> Step Functions (state-machine.asl.json does the same without a shell).
#
#   JOB_QUEUE=kms-rotation-audit BUCKET=example-reports-bucket SHARDS=8 ./submit-nightly.sh
set -euo pipefail

: "${JOB_QUEUE:?set JOB_QUEUE to the Batch job queue}"
: "${BUCKET:?set BUCKET to the reports bucket}"
shards="${SHARDS:-8}"
prefix="${PREFIX:-kms-rotation-audit}"

# One id for every shard of this run, so the merge can tell its parts from other runs'.
scan_id="nightly-$(date -u +%Y%m%dT%H%M%SZ)"
parts="s3://$BUCKET/$prefix/parts/$scan_id/"

array_job_id="$(aws batch submit-job \
  --job-name "kms-rotation-audit-shards-$scan_id" \
  --job-queue "$JOB_QUEUE" \
  --job-definition kms-rotation-audit-shard \
  --array-properties "size=$shards" \
  --parameters "shardCount=$shards,scanId=$scan_id,partsPrefix=$parts" \
  --query jobId --output text)"

merge_job_id="$(aws batch submit-job \
  --job-name "kms-rotation-audit-merge-$scan_id" \
  --job-queue "$JOB_QUEUE" \
  --job-definition kms-rotation-audit-merge \
  --depends-on "jobId=$array_job_id" \
  --parameters "partsPrefix=$parts,runsPrefix=s3://$BUCKET/$prefix/runs/" \
  --query jobId --output text)"

echo "scan $scan_id: shards $array_job_id (x$shards), merge $merge_job_id"
