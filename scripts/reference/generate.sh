#!/usr/bin/env bash
# Regenerates every reference fixture. Needs Debian's python3-torch (apt-get install python3-torch).
set -euo pipefail
cd "$(dirname "$0")"
for script in optim_*.py schedules_*.py pure_schedules*.py lab_*.py; do
  [[ -e $script ]] || continue
  /usr/bin/python3 "$script"
done
