# kms-rotation-audit as a batch container: one scan per run, reports to /reports (mount a volume).
#
#   docker build -t kms-rotation-audit:local .
#   docker run --rm --read-only --tmpfs /tmp -v "$PWD/reports:/reports" --user "$(id -u):$(id -g)" \
#     -e AWS_PROFILE -v "$HOME/.aws:/home/audit/.aws:ro" kms-rotation-audit:local scan
#
# Base: Debian 12 (bookworm) slim with Node.js 22 LTS (Node 20 is past end of life). The tag is
# pinned to a patch release and must stay equal to NODE22_VERSION in scripts/node22.sh, which CI
# uses to run the test suite on this same Node (test/container/dockerfile.test.ts checks it).
# In production also pin by digest: node:22.23.5-bookworm-slim@sha256:<digest of the tag you tested>.
# `npm run test:container` (scripts/container-test.sh) builds this file as it is and runs the image.

FROM node:22.23.5-bookworm-slim AS build
WORKDIR /app
# Manifests first so the dependency layer is cached across source changes. --ignore-scripts:
# `prepare` would run the build before the sources are here; the build runs below instead.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# .dockerignore lets through only the sources, the build config and the runtime data folders.
COPY . .
# The bin entry runs through its shebang (#!/usr/bin/env node), so it must be executable.
# `npm prune` leaves the scope folders of the packages it removes (@types/, @vitest/ …) empty.
# Type declarations (dist-types/, *.d.ts) and source maps are never loaded by Node at run time, nor
# exceljs's browser bundles (dist/: the report loads lib/stream/xlsx/workbook-writer.js, src/report/xlsx.ts).
# The SBOM (CycloneDX) of exactly the pruned tree ships in the image, and every run's
# manifest.json names it with its SHA-256 as the tool's bill of materials (src/report/tool-sbom.ts).
# `npm sbom` reads the tree against package.json: on the pruned tree it refuses the missing
# devDependencies, and `--omit dev` on the whole tree also drops production packages that a dev
# tool shares (yaml, tslib, @smithy/core …). So it runs on the pruned tree with a package.json
# copy that has no devDependencies; the package.json the image ships is the project's own.
RUN npx tsc -p tsconfig.image.json \
  && chmod 0755 dist/src/cli.js \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
  && find node_modules -mindepth 1 -maxdepth 1 -name '@*' -type d -empty -delete \
  && find node_modules -type d -name dist-types -prune -exec rm -rf {} + \
  && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete \
  && rm -rf node_modules/exceljs/dist \
  && cp package.json /tmp/package.json \
  && npm pkg delete devDependencies \
  && npm sbom --sbom-format cyclonedx > sbom.cdx.json \
  && mv /tmp/package.json package.json

# The runtime's root filesystem: the base without what only building needs (npm, npx, corepack,
# yarn and Node's C headers: 84 MB of the base's 278), plus the image's user. Copied into an
# empty image below, because files deleted in a later layer would still be in the base's layers.
FROM node:22.23.5-bookworm-slim AS rootfs
# A dedicated non-root user with a fixed uid (Kubernetes runAsNonRoot needs a numeric uid to check)
# and a home folder, so the AWS SDK finds ~/.aws when a profile is mounted read-only there.
# /reports belongs to it, so a new named volume mounted there (compose demo) is writable by it.
RUN rm -rf /usr/local/lib/node_modules /usr/local/include/node /opt/yarn-v* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
      /usr/local/share/doc/node /usr/local/share/man/man1/node.1 /usr/local/share/systemtap \
      /usr/local/CHANGELOG.md /usr/local/README.md \
  && groupadd --gid 10001 audit \
  && useradd --uid 10001 --gid 10001 --home-dir /home/audit --create-home --shell /usr/sbin/nologin audit \
  && mkdir /reports \
  && chown 10001:10001 /reports \
  && node --version

FROM scratch AS runtime
COPY --from=rootfs / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_VERSION=22.23.5
# VERSION and REVISION are given by the build (scripts/container-test.sh passes package.json's
# version and the git commit); the defaults keep a plain `docker build .` honest.
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="kms-rotation-audit" \
      org.opencontainers.image.description="Audits automatic rotation of every customer managed symmetric KMS key in an AWS Organization (rule KMS-002), with CSV and auditor PDF reports." \
      org.opencontainers.image.source="https://github.com/kms-rotation-audit/kms-rotation-audit" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:22.23.5-bookworm-slim"

# Everything the package reads at run time: compiled code, production dependencies only,
# package.json (the package root and version), its SBOM, report wording, framework mappings and
# the fonts. Owned by root and not writable by the audit user: the image works with a read-only
# root filesystem.
WORKDIR /app
COPY --from=build /app/package.json /app/sbom.cdx.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/templates ./templates
COPY --from=build /app/frameworks ./frameworks
COPY --from=build /app/assets ./assets
RUN ln -s /app/dist/src/cli.js /usr/local/bin/kms-rotation-audit

# Writes go only to /reports (the run history: mount a volume there) and /tmp (mount a tmpfs when
# the root filesystem is read-only). No VOLUME: it would give every container that mounts nothing
# there an anonymous volume (the compose sim service did, on every `up`); without a mount a
# read-only container stops at once with exit 73 naming /reports. No credentials here: they come
# from the runtime (IRSA, ECS task role, environment variables or a mounted profile).
#
# NODE_OPTIONS: a 768 MB heap limit. V8 lets the heap grow to about 4 times the data it holds between
# full collections when its limit is 2 GB or more (Node.js's default, a quarter of the memory, on a
# host or container with 8 GiB or more), and to 1.3 to 2 times below that (V8's heap controller,
# MaxGrowingFactor). The scan's live data is about 40 MB and the 100,000-key report runs within a
# 160 MB limit (README "Benchmarks"): at 2,000 accounts × 17 regions the scan peaks at 239 MB
# instead of 405 MB, for about 3 % more CPU (13 % on 500 accounts). In a container with less than
# 3 GiB, Node.js's own limit would be lower and this raises it (growth about 1.5 times instead of
# 1.3 to 1.4: the scan still peaks under 250 MB). `-e NODE_OPTIONS=...` replaces it.
ENV NODE_ENV=production \
    HOME=/home/audit \
    KMS_ROTATION_AUDIT_REPORTS_ROOT=/reports \
    NODE_OPTIONS=--max-old-space-size=768
USER 10001:10001

# A batch job, not a server: the scheduler watches the exit code (0 ok, 1 findings, 2 incomplete,
# 64 bad configuration, 70 internal error, 73 cannot write the reports folder). No HEALTHCHECK
# instruction: the base defines none, and the OCI image format has no field for one.
ENTRYPOINT ["kms-rotation-audit"]
CMD ["scan"]
