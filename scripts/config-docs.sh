#!/usr/bin/env bash
# Regenerates docs/config.md (the monitors config reference) from the zod schema, through the built CLI.
# usage: npm run build && bash scripts/config-docs.sh   (tests/unit/config-reference.test.ts checks it is current)
set -euo pipefail
cd "$(dirname "$0")/.."
node dist/src/cli/main.js config schema --markdown > docs/config.md
echo "wrote docs/config.md"
