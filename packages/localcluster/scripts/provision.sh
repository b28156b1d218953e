#!/usr/bin/env bash
# Builds the control plane (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd) from Go modules into a cache.
# Usage: provision.sh --apt-only | provision.sh --kubernetes X.Y.Z --etcd X.Y.Z
# Env: CAPSTAN_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/capstan).
# Called by src/provisioning.ts (also through `capstan cluster provision`), which owns the version pins.
#
# Each version is built once and cached in <cache>/kubernetes-vX.Y.Z/bin and <cache>/etcd-vX.Y.Z/bin; a cached
# version is never rebuilt. The build is a throwaway wrapper module that requires k8s.io/kubernetes and replaces
# every staging module by its published v0.Y.Z twin (the list is read from that tag's own go.mod, so a new
# release's new staging modules are picked up without a change here).
set -euo pipefail

K8S_VERSION=""
ETCD_VERSION=""
apt_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --apt-only) apt_only=1 ;;
    --kubernetes) K8S_VERSION="${2:?--kubernetes needs a version}"; shift ;;
    --etcd) ETCD_VERSION="${2:?--etcd needs a version}"; shift ;;
    *) echo "provision.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
K8S_VERSION="${K8S_VERSION#v}"
ETCD_VERSION="${ETCD_VERSION#v}"
# Full releases only: a minor ("1.35") is resolved to its pinned release by the caller (src/versions.ts),
# so the pins live in one place.
[ "$apt_only" = 1 ] || for v in "$K8S_VERSION" "$ETCD_VERSION"; do
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "provision.sh: \"$v\" is not a release X.Y.Z" >&2; exit 2; }
done

cache_root="${CAPSTAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/capstan}"
k8s_bin="$cache_root/kubernetes-v$K8S_VERSION/bin"
etcd_bin="$cache_root/etcd-v$ETCD_VERSION/bin"
say() { printf '[localcluster] %s\n' "$*" >&2; }

# One provisioner at a time per cache: parallel test processes wait for the first build instead of racing it.
mkdir -p "$cache_root"
exec 9>"$cache_root/provision.lock"
if ! flock -n 9; then
  say "another provisioning is running; waiting for it"
  flock 9
fi

need_apt=()
command -v age >/dev/null 2>&1 || need_apt+=(age)
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
command -v go >/dev/null 2>&1 || need_apt+=(golang-go)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing packages: ${need_apt[*]} (run as root or install them: apt-get install ${need_apt[*]})"
    exit 3
  fi
  say "apt-get update"
  apt-get update -qq >&2
  say "apt-get install ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi
[ "$apt_only" = 1 ] && exit 0

k8s_tools=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
k8s_cached=1
for t in "${k8s_tools[@]}"; do [ -x "$k8s_bin/$t" ] || k8s_cached=0; done
etcd_cached=0
[ -x "$etcd_bin/etcd" ] && etcd_cached=1
if [ "$k8s_cached" = 1 ] && [ "$etcd_cached" = 1 ]; then
  say "kubernetes v$K8S_VERSION and etcd v$ETCD_VERSION cached in $cache_root"
  exit 0
fi

# Go: the toolchain on this machine, never a downloaded one (a dependency's `toolchain` line must not fetch Go).
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
go_version=$(go env GOVERSION)
say "using $go_version ($(command -v go)); module cache $(go env GOMODCACHE), build cache $(go env GOCACHE)"

ticker_pid=""
start_ticker() {
  local what="$1" began
  began=$(date +%s)
  ( while sleep 30; do say "still building $what... $(( $(date +%s) - began ))s"; done ) &
  ticker_pid=$!
}
stop_ticker() { [ -n "$ticker_pid" ] && kill "$ticker_pid" 2>/dev/null || true; ticker_pid=""; }
trap stop_ticker EXIT

# The go directive of the wrapper: the dependency's own (never newer than the local toolchain can build).
go_directive() { sed -n 's/^go \([0-9.]*\).*/\1/p' "$1" | head -1; }

# require_go GOMOD LABEL: the local Go must be at least the module's go directive (no toolchain is downloaded).
require_go() {
  local want have
  want=$(go_directive "$1"); have=$(go env GOVERSION); have="${have#go}"
  if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" != "$want" ]; then
    say "$2 needs Go >= $want to build; this machine has go$have ($(command -v go)). Install a newer Go and run again."
    exit 5
  fi
}

# enter_workdir NAME: a fresh build folder, made the current directory.
enter_workdir() {
  local work="$cache_root/build/$1"
  rm -rf "$work"; mkdir -p "$work"; cd "$work"
}

# module_gomod LABEL MODULE@VERSION: the path of that module's go.mod, fetched through the module proxy.
module_gomod() {
  local gomod
  say "$1: reading the go.mod of $2"
  gomod=$(go mod download -json "$2" | jq -r .GoMod)
  [ -f "$gomod" ] || { say "the Go module proxy has no $2"; exit 4; }
  echo "$gomod"
}

# install_outputs TARGET_DIR TOOL...: out/TOOL... into the cache, atomically; the build folder goes.
install_outputs() {
  local target="$1" t; shift
  rm -rf "$target.tmp"; mkdir -p "$target.tmp"
  for t in "$@"; do cp "out/$t" "$target.tmp/"; done
  rm -rf "$target"; mv "$target.tmp" "$target"
  local work; work=$(pwd)
  cd "$cache_root"; rm -rf "$work"
}

build_kubernetes() {
  local v="$K8S_VERSION" minor major tag_mod started date
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  enter_workdir "kubernetes-v$v"
  tag_mod=$(module_gomod "kubernetes v$v" "k8s.io/kubernetes@v$v")
  require_go "$tag_mod" "kubernetes v$v"
  {
    echo "// Throwaway module that builds the Kubernetes v$v commands (written by capstan's provision.sh)."
    echo "module capstan.local/kubernetes-build"
    echo
    echo "go $(go_directive "$tag_mod")"
    grep -E '^godebug ' "$tag_mod" || true
    echo
    echo "require k8s.io/kubernetes v$v"
    echo
    echo "replace ("
    # Every `k8s.io/<m> => ./staging/src/k8s.io/<m>` of the tag becomes `k8s.io/<m> => k8s.io/<m> v0.<minor>.<patch>`.
    sed -n 's#^[[:space:]]*\(k8s.io/[A-Za-z0-9._-]*\) => \./staging/src/.*#\1#p' "$tag_mod" |
      while read -r m; do echo "	$m => $m v0.${v#*.}"; done
    echo ")"
    echo
    echo "tool ("
    for t in "${k8s_tools[@]}"; do echo "	k8s.io/kubernetes/cmd/$t"; done
    echo ")"
  } > go.mod
  say "kubernetes v$v: $(grep -c ' => ' go.mod) staging modules replaced; resolving modules (go mod tidy)"
  go mod tidy >&2
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=v$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  say "kubernetes v$v: building ${k8s_tools[*]} (one time: about 8 minutes on 2 cores, up to 25 on a slow machine; about 5 GB of Go caches)"
  started=$(date +%s)
  start_ticker "kubernetes v$v"
  mkdir -p out
  local pkgs=()
  for t in "${k8s_tools[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$t"); done
  go build -trimpath -ldflags "$ldflags" -o out/ "${pkgs[@]}" >&2
  stop_ticker
  install_outputs "$k8s_bin" "${k8s_tools[@]}"
  say "kubernetes v$v: built in $(( $(date +%s) - started ))s; cached in $k8s_bin"
}

build_etcd() {
  local v="$ETCD_VERSION" server_mod started
  enter_workdir "etcd-v$v"
  server_mod=$(module_gomod "etcd v$v" "go.etcd.io/etcd/server/v3@v$v")
  require_go "$server_mod" "etcd v$v"
  {
    echo "// Throwaway module that builds etcd v$v (written by capstan's provision.sh)."
    echo "module capstan.local/etcd-build"
    echo
    echo "go $(go_directive "$server_mod")"
    echo
    echo "require go.etcd.io/etcd/server/v3 v$v"
    echo
    # The server's own relative replaces do not apply to a dependency: pin its sibling modules to the same tag.
    echo "replace ("
    sed -n 's#^[[:space:]]*\(go.etcd.io/etcd/[A-Za-z0-9/._-]*\) => \.\./.*#\1#p' "$server_mod" |
      while read -r m; do echo "	$m => $m v$v"; done
    echo ")"
    echo
    echo "tool go.etcd.io/etcd/server/v3"
  } > go.mod
  say "etcd v$v: resolving modules (go mod tidy)"
  go mod tidy >&2
  say "etcd v$v: building (one time, 1-3 minutes cold)"
  started=$(date +%s)
  start_ticker "etcd v$v"
  mkdir -p out
  go build -trimpath -ldflags "-s -w" -o out/etcd go.etcd.io/etcd/server/v3 >&2
  stop_ticker
  install_outputs "$etcd_bin" etcd
  say "etcd v$v: built in $(( $(date +%s) - started ))s; cached in $etcd_bin"
}

[ "$etcd_cached" = 1 ] || build_etcd
[ "$k8s_cached" = 1 ] || build_kubernetes
say "kubernetes v$K8S_VERSION and etcd v$ETCD_VERSION cached in $cache_root"
