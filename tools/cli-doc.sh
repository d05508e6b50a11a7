#!/usr/bin/env bash
# Writes docs/cli.md from the clearance binary's own help texts, so the page says exactly what
# `--help` says.
#   tools/cli-doc.sh build/tools/clearance > docs/cli.md
#   tools/cli-doc.sh --check build/tools/clearance     exit 1 when docs/cli.md is out of date
set -euo pipefail
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
clearance=${1:?usage: tools/cli-doc.sh [--check] path/to/clearance}
root="$(cd "$(dirname "$0")/.." && pwd)"

generate() {
  cat <<'HEAD'
# The `clearance` command-line tool

Every command, with the flags and examples its `--help` prints. This page is generated from the
binary (`tools/cli-doc.sh build/tools/clearance > docs/cli.md`), and a test fails when it is out of
date. What the decisions mean is in [semantics.md](semantics.md).

Exit codes: 0 success (for `check`: allow), 1 deny, 2 unauthenticated, 3 error. The store is
`--db PATH`, else `$CLEARANCE_DB`, else `./clearance-data`.

```text
HEAD
  CLEARANCE_DB=/nonexistent "$clearance" --help
  echo '```'
  # The command list: the indented lines between "commands:" and the blank line after it.
  CLEARANCE_DB=/nonexistent "$clearance" --help |
    awk '/^commands:/{on=1; next} on && /^$/{exit} on' |
    # The words end where the padding before the summary (two or more spaces) begins.
    sed -E 's/^  //; s/  .*$//' |
    while read -r words; do
      printf '\n## clearance %s\n\n```text\n' "$words"
      # shellcheck disable=SC2086
      CLEARANCE_DB=/nonexistent "$clearance" $words --help
      echo '```'
    done
}

if [ "$check" = 1 ]; then
  if ! diff -u "$root/docs/cli.md" <(generate); then
    echo "docs/cli.md is out of date: run tools/cli-doc.sh $clearance > docs/cli.md" >&2
    exit 1
  fi
else
  generate
fi
