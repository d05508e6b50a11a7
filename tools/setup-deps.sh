#!/usr/bin/env bash
# Installs the Debian packages Clearance builds and tests with, when any is missing.
# Idempotent; needs root (uses sudo when not root).
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libsimdjson-dev libssl-dev openssl libabsl-dev librocksdb-dev libcrypt-dev libcurl4-openssl-dev
  libyaml-cpp-dev
  libre2-dev
  libboost1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-jwt python3-cryptography curl
)
# Node.js and npm run the official Camunda client's test (tests/server/client). Only when either
# is missing: a Node.js from elsewhere (NodeSource's bundles npm) conflicts with Debian's npm.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
# The Identity console is built whenever npm is present (CLEARANCE_BUILD_CONSOLE), and its browser
# test (tests/console) drives Debian's chromium headless; nothing is downloaded at test time.
packages+=(chromium)
# tools/fuzz.sh sets CLEARANCE_SETUP_FUZZ=1: clang, and libFuzzer with clang's sanitizer runtimes.
if [ "${CLEARANCE_SETUP_FUZZ:-}" = 1 ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
