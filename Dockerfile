# syntax=docker/dockerfile:1
#
# kms-rotation-audit as a batch container: one scan per run, reports to the /reports volume.
#
#   docker build -t kms-rotation-audit:local .
#   docker run --rm --read-only --tmpfs /tmp -v "$PWD/reports:/reports" -e AWS_PROFILE \
#     -v "$HOME/.aws:/home/audit/.aws:ro" kms-rotation-audit:local scan
#
# Base: Debian 12 (bookworm) slim with Node.js 22 LTS (Node 20 is past end of life). The tag is
# pinned to a patch release and must stay equal to NODE22_VERSION in scripts/node22.sh, which CI
# uses to run the test suite on this same Node (test/container/dockerfile.test.ts checks it).
# In production also pin by digest: node:22.23.5-bookworm-slim@sha256:<digest of the tag you tested>.

FROM node:22.23.5-bookworm-slim AS build
WORKDIR /app
# Manifests first so the dependency layer is cached across source changes. --ignore-scripts:
# `prepare` would run the build before the sources are here; the build runs below instead.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# .dockerignore lets through only the sources, the build config and the runtime data folders.
COPY . .
# The bin entry runs through its shebang (#!/usr/bin/env node), so it must be executable.
RUN npx tsc -p tsconfig.image.json \
  && chmod 0755 dist/src/cli.js \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:22.23.5-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="kms-rotation-audit" \
      org.opencontainers.image.description="Audits automatic rotation of every customer managed symmetric KMS key in an AWS Organization (rule KMS-002), with CSV and auditor PDF reports." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:22.23.5-bookworm-slim"

# A dedicated non-root user with a fixed uid (Kubernetes runAsNonRoot needs a numeric uid to check)
# and a home folder, so the AWS SDK finds ~/.aws when a profile is mounted read-only there.
RUN groupadd --gid 10001 audit \
  && useradd --uid 10001 --gid 10001 --home-dir /home/audit --create-home --shell /usr/sbin/nologin audit \
  && mkdir /reports \
  && chown 10001:10001 /reports

# Everything the package reads at run time: compiled code, production dependencies only,
# package.json (the package root and version), report wording, framework mappings and the fonts.
# Owned by root and not writable by the audit user: the image works with a read-only root filesystem.
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/templates ./templates
COPY --from=build /app/frameworks ./frameworks
COPY --from=build /app/assets ./assets
RUN ln -s /app/dist/src/cli.js /usr/local/bin/kms-rotation-audit

# Writes go only to /reports (the run history; mount a volume) and /tmp (mount a tmpfs when the
# root filesystem is read-only). No credentials here: they come from the runtime (IRSA, ECS task
# role, environment variables or a mounted profile).
ENV NODE_ENV=production \
    HOME=/home/audit \
    KMS_ROTATION_AUDIT_REPORTS_ROOT=/reports
USER 10001:10001
VOLUME /reports

# A batch job, not a server: the scheduler watches the exit code (0 ok, 1 findings, 2 incomplete,
# 64 bad configuration, 70 internal error).
HEALTHCHECK NONE
ENTRYPOINT ["kms-rotation-audit"]
CMD ["scan"]
