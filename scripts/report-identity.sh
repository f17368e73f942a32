#!/bin/bash
# Runs the demo (fixed seed, generated local data) on two commits and compares their reports:
# statistics.json, constraints.json and constraint_violations.json byte for byte, execution.json without
# the fields that differ by nature (timings, input and baseline file names and etags, driftwatchVersion)
# or are new since d94a487 (featureScores, multivariate, audit, computedAt, request).
# Usage: scripts/report-identity.sh [old-commit] [new-commit]   (default: d94a487 HEAD)
set -euo pipefail
old=${1:-d94a487}
new=${2:-HEAD}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d /tmp/report-identity.XXXXXX)
trap 'git -C "$root" worktree remove --force "$work/old" 2>/dev/null; git -C "$root" worktree remove --force "$work/new" 2>/dev/null; true' EXIT
for side in old new; do
  commit=${!side}
  git -C "$root" worktree add --quiet --detach "$work/$side" "$commit"
  ln -s "$root/node_modules" "$work/$side/node_modules"
  (cd "$work/$side" && npx tsc -p tsconfig.build.json >/dev/null &&
    node bin/driftwatch.js demo --dir "$work/out-$side" --records-per-hour 500 --training-rows 5000 >"$work/$side.txt" 2>/dev/null)
  echo "$side ($commit): demo done"
done
echo "--- demo table (paths normalised)"
if diff <(sed "s#$work/out-old#OUT#g" "$work/old.txt") <(sed "s#$work/out-new#OUT#g" "$work/new.txt"); then echo "identical"; fi
status=0
while IFS= read -r f; do
  rel=${f#"$work/out-old/"}
  case "$rel" in
    */execution.json)
      norm='del(.timings, .inputs, .baseline, .driftwatchVersion, .featureScores, .multivariate, .reportUri, .audit, .computedAt, .request)'
      if ! diff <(jq -S "$norm" "$f") <(jq -S "$norm" "$work/out-new/$rel") >/dev/null; then
        echo "DIFFERS $rel"; { diff <(jq -S "$norm" "$f") <(jq -S "$norm" "$work/out-new/$rel") || true; } | head -20; status=1
      fi ;;
    *.json)
      if ! cmp -s "$f" "$work/out-new/$rel"; then echo "DIFFERS $rel"; status=1; fi ;;
  esac
done < <(find "$work/out-old" -path '*reports*' -name '*.json' | sort)
echo "compared $(find "$work/out-old" -path '*reports*' -name '*.json' | wc -l) report files; differences: $([ $status = 0 ] && echo none || echo see above)"
exit $status
