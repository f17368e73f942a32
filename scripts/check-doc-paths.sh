#!/usr/bin/env bash
# Every source path docs/ARCHITECTURE.md and docs/DEVELOPING.md name exists: paths in backquotes (from the
# repository root, from src/, or, in ARCHITECTURE's folder table, from that row's src/<folder>/; a bare
# `name.ts` must be a file of src/ or of the row's folder), and the file names of DEVELOPING's Layout block
# (under their src/<folder>/). Prints each stale one and exits 1. Usage: bash scripts/check-doc-paths.sh
set -uo pipefail
cd "$(dirname "$0")/.."
stale=0
report() { echo "$1: $2"; stale=1; }

exists() { # path, folder of the table row (may be empty)
  local p=${1%/} base
  for base in "" src/ ${2:+src/$2/}; do [ -e "$base$p" ] && return 0; done
  return 1
}

named() { # bare file name, folder (may be empty): a file of that name under src/ (or src/<folder>/), or at the root
  [ -z "$2" ] && [ -e "$1" ] && return 0
  [ -n "$(find "src/${2:+$2/}" -name "$1" -print -quit)" ]
}

for doc in docs/ARCHITECTURE.md docs/DEVELOPING.md; do
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    folder=
    [[ $line =~ ^\|\ \`([a-z]+)/\`\ \| ]] && folder=${BASH_REMATCH[1]}
    while IFS= read -r token; do
      token=${token//\`/}
      token=${token//\[*\]/} # AWS_ENDPOINT_URL[_S3]: an optional part
      case $token in
        *'<'* | *'*'* | *'://'* | *'$'* | .* | dist/* | docs/api/*) continue ;;
        ../shared/*) [ -d ../shared ] || continue ;;
      esac
      if [[ $token == */* ]]; then
        [[ $token =~ \.(ts|js|md|json|py|sh|yaml|yml)$ || $token == */ ]] || continue
        exists "$token" "$folder" || report "$doc:$n" "no such path: $token"
      elif [[ $token =~ ^[A-Za-z0-9_.-]+\.ts$ ]]; then
        named "$token" "$folder" || report "$doc:$n" "no such file under src/${folder:+$folder/}: $token"
      fi
    done < <(grep -o '`[^` ]*`' <<<"$line")
  done <"$doc"
done

# DEVELOPING.md's Layout block: "  <folder>/  names..." lines, continued by more deeply indented lines.
folder=
n=0
in_block=0
while IFS= read -r line; do
  n=$((n + 1))
  if [[ $line == '## Layout' ]]; then in_block=1; continue; fi
  [ $in_block = 1 ] || continue
  [[ $line == '```' && -n $folder ]] && break
  if [[ $line =~ ^\ \ ([a-z]+(/[a-z]+)?)/?\ +(.*)$ ]]; then
    folder=${BASH_REMATCH[1]}
    rest=${BASH_REMATCH[3]}
  elif [[ $line =~ ^\ \ \ + ]]; then
    rest=$line
  else
    continue
  fi
  [ -d "src/$folder" ] || { report "docs/DEVELOPING.md:$n" "no folder src/$folder"; continue; }
  for name in $(grep -oE '[A-Za-z0-9_-]+\.ts' <<<"$rest"); do
    named "$name" "$folder" || report "docs/DEVELOPING.md:$n" "no such file under src/$folder/: $name"
  done
done <docs/DEVELOPING.md

[ $stale = 0 ] && echo "every path named in docs/ARCHITECTURE.md and docs/DEVELOPING.md exists"
exit $stale
