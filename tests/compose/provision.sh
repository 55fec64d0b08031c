#!/usr/bin/env bash
# What `make compose-check` needs on a Debian 12 machine with no image registry (see
# docs/deploying.md, "Checked here"): Debian's docker.io engine (vfs storage, its own data root and
# socket), Compose v2 from Debian 13's docker-compose package, debootstrap for the local base
# image. Idempotent: each step is skipped when its result is already there.
set -euo pipefail
root=${NGHEDAN_DOCKER_ROOT:-/var/lib/nghedan-check}
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if ((${#need[@]})); then
  echo "Cài ${need[*]} (Debian) để chạy thử bản triển khai compose…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
plugin=/usr/local/lib/docker/cli-plugins/docker-compose
if ! docker compose version >/dev/null 2>&1; then
  echo "Lấy Compose v2 từ gói docker-compose của Debian 13 (trixie)…"
  work=$(mktemp -d)
  chmod 755 "$work"
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" >"$work/trixie.sources"
  apt=(-o "Dir::Etc::sourcelist=$work/trixie.sources" -o Dir::Etc::sourceparts=- \
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::archives=$work/archives" \
    -o APT::Get::List-Cleanup=0)
  apt-get "${apt[@]}" update -qq
  (cd "$work" && apt-get "${apt[@]}" download docker-compose >/dev/null)
  dpkg-deb -x "$work"/docker-compose_*.deb "$work/x"
  install -D -m 755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin"
  rm -rf "$work"
fi
mkdir -p "$root"
echo "Docker: $(dockerd --version); $(docker compose version)"
