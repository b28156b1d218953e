#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian's kubernetes source package into a cache.
# Usage: provision.sh [--apt-only]. Env: CAPSTAN_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/capstan).
set -euo pipefail

K8S_VERSION="1.20.2"
cache_root="${CAPSTAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/capstan}"
bin_dir="$cache_root/kubernetes-v$K8S_VERSION/bin"
say() { printf '[localcluster] %s\n' "$*" >&2; }

# One provisioner at a time per cache: parallel test processes wait for the first build instead of racing it.
mkdir -p "$cache_root"
exec 9>"$cache_root/provision.lock"
if ! flock -n 9; then
  say "another provisioning is running; waiting for it"
  flock 9
fi

need_apt=()
command -v etcd >/dev/null 2>&1 || [ -x /usr/bin/etcd ] || need_apt+=(etcd-server)
command -v age >/dev/null 2>&1 || need_apt+=(age)
# kubectl: the tests and the docs use it (Debian's kubernetes-client is 1.20, matching the control plane).
command -v kubectl >/dev/null 2>&1 || need_apt+=(kubernetes-client)

if [ -x "$bin_dir/kube-apiserver" ] && [ -x "$bin_dir/kube-controller-manager" ]; then
  build=0
else
  build=1
  command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
  command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
  command -v jq >/dev/null 2>&1 || need_apt+=(jq)
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need_apt+=(golang-github-modern-go-reflect2-dev)
  command -v dpkg-source >/dev/null 2>&1 || need_apt+=(dpkg-dev)
fi

apt_updated=0
apt_update() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq >&2
    apt_updated=1
  fi
}

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing packages: ${need_apt[*]} (run as root or install them: apt-get install ${need_apt[*]})"
    exit 3
  fi
  apt_update
  say "apt-get install ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi

[ "${1:-}" = "--apt-only" ] && exit 0
if [ "$build" = 0 ]; then
  say "kubernetes v$K8S_VERSION binaries cached in $bin_dir"
  exit 0
fi

work="$cache_root/build-v$K8S_VERSION"
mkdir -p "$work"
cd "$work"
if ! ls kubernetes_*.dsc >/dev/null 2>&1; then
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    if [ "$(id -u)" != 0 ]; then say "need a deb-src entry for bookworm main (run as root)"; exit 3; fi
    say "adding a deb-src entry for bookworm main"
    cat > /etc/apt/sources.list.d/capstan-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_updated=0
  fi
  apt_update
  say "downloading Debian's kubernetes source package"
  apt-get source --download-only kubernetes >&2
fi
src=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -1)
if [ -z "$src" ]; then
  say "unpacking source"
  dpkg-source -x --no-check kubernetes_*.dsc >&2
  src=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -1)
fi
src="$work/${src#./}"
cd "$src"
say "replacing vendored modern-go/reflect2 with Debian's 1.0.2 (1.0.1 crashes under Go >= 1.18)"
rm -rf vendor/github.com/modern-go/reflect2
rsync -a --exclude go.mod --exclude go.sum /usr/share/gocode/src/github.com/modern-go/reflect2/ vendor/github.com/modern-go/reflect2/
mkdir -p .go/src/k8s.io
ln -sfn "$src" .go/src/k8s.io/kubernetes
say "building kube-apiserver and kube-controller-manager (one time, about 7-15 minutes on 2 cores)"
export GOPATH="$src/.go" GO111MODULE=off GOFLAGS=-mod=vendor GOCACHE="$work/gocache" CGO_ENABLED=0
cd .go/src/k8s.io/kubernetes
start=$(date +%s)
( while sleep 30; do say "still building... $(( $(date +%s) - start ))s"; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >&2
kill $ticker 2>/dev/null || true
out=$(find _output -type f -name kube-apiserver -path '*bin*' | head -1)
mkdir -p "$bin_dir.tmp"
cp "$(dirname "$out")/kube-apiserver" "$(dirname "$out")/kube-controller-manager" "$bin_dir.tmp/"
rm -rf "$bin_dir"; mv "$bin_dir.tmp" "$bin_dir"
say "built in $(( $(date +%s) - start ))s; cached in $bin_dir"
rm -rf "$src" "$work/gocache"
