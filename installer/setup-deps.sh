#!/usr/bin/env bash
# Installs everything ReelStack needs to build, test and run on Debian 12.
#
# Idempotent: when every package is already installed it touches nothing (not even
# `apt-get update`) and returns at once. Otherwise it runs `apt-get update` once and
# installs only the missing packages. Then it installs the npm packages of ui/ (the
# web UI, built into the binary) and tests/browser/ (the browser tests), each when its
# node_modules is missing or older than its lock file.
#
# Environment: REELSTACK_SKIP_NPM=1 skips the npm step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev
  # Qt 6.4 and the libraries the modules link
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite
  qt6-webengine-dev libqt6webenginecore6-bin libgl-dev
  libsqlite3-dev libssl-dev libhttp-parser-dev zlib1g-dev
  # media
  ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libavfilter-dev libswresample-dev
  # tests, benchmarks and tools they drive
  nginx-light varnish wrk prometheus chromium nodejs npm curl xvfb xauth openssl
)

log() { printf 'setup-deps: %s\n' "$*"; }
die() { printf 'setup-deps: error: %s\n' "$*" >&2; exit 1; }

# Prints the packages of PACKAGES that are neither installed nor provided by an
# installed package (e.g. NodeSource's `nodejs` provides `npm`; installing Debian's
# npm next to it would try to replace that nodejs). One dpkg-query for all of them.
missing_packages() {
  dpkg-query -W -f='${Status}\t${Package}\t${Provides}\n' 2>/dev/null |
    awk -F'\t' -v want="${PACKAGES[*]}" '
      $1 ~ / ok installed$/ {
        have[$2] = 1
        n = split($3, prov, /, */)
        for (i = 1; i <= n; i++) { sub(/ .*/, "", prov[i]); if (prov[i] != "") have[prov[i]] = 1 }
      }
      END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in have)) print w[i] }'
}

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "not root and sudo is not installed: run this script as root"
  fi
}

apt_step() {
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script is for Debian 12"
  local -a missing
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "all ${#PACKAGES[@]} Debian packages are present; nothing to install"
    return 0
  fi
  log "missing ${#missing[@]} of ${#PACKAGES[@]} packages: ${missing[*]}"
  log "apt-get update"
  as_root apt-get update -q
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  mapfile -t missing < <(missing_packages)
  [[ ${#missing[@]} -eq 0 ]] || die "still missing after apt-get install: ${missing[*]}"
  log "all ${#PACKAGES[@]} Debian packages are now installed"
}

# npm ci in one directory (relative to ROOT) unless its node_modules is up to date.
npm_install() {
  local rel="$1" dir="$ROOT/$1"
  if [[ ! -f "$dir/package.json" ]]; then
    log "npm: no $rel/package.json; nothing to do"
    return 0
  fi
  local ref="$dir/package-lock.json" cmd=(npm ci)
  if [[ ! -f "$ref" ]]; then
    ref="$dir/package.json"
    cmd=(npm install)
  fi
  if [[ -d "$dir/node_modules" && ! "$ref" -nt "$dir/node_modules" ]]; then
    log "npm: $rel/node_modules is up to date"
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm not found"
  log "npm: ${cmd[*]} in $rel"
  (cd "$dir" && "${cmd[@]}" --no-audit --no-fund --loglevel=warn)
  # npm may leave the directory's own mtime older than the lock it just wrote.
  touch "$dir/node_modules"
  log "npm: $rel/node_modules installed"
}

npm_step() {
  if [[ -n "${REELSTACK_SKIP_NPM:-}" ]]; then
    log "npm: skipped (REELSTACK_SKIP_NPM is set)"
    return 0
  fi
  # ui/ first: building the binary needs it (ui/build.mjs copies from its node_modules).
  npm_install ui
  npm_install tests/browser
}

apt_step
npm_step
