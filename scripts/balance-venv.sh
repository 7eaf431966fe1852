#!/usr/bin/env bash
# Build .venv-balance: a virtualenv holding Meta's `balance`, the reference the raking and
# post-stratification tests compare against. It is separate from .venv because installing
# balance there would replace the pinned numpy, pandas and scipy. Reused when present
# (a stamp file records a finished install); pass a directory to build it elsewhere.
# Prints the venv's python on the last line of stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$here/.venv-balance}"
python="${PYTHON:-python3}"
# Pinned so that the reference numbers do not move under the tests.
requirements=(
    balance==0.23.0
    numpy==1.26.4
    pandas==3.0.6
    scipy==1.13.1
    scikit-learn==1.3.2
    statsmodels==0.15.0
)
stamp="$venv/.installed-balance-0.23.0"

if [ -f "$stamp" ] && [ -x "$venv/bin/python" ]; then
    echo "$venv/bin/python"
    exit 0
fi

echo "building $venv with ${requirements[*]}" >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}" >&2
"$venv/bin/python" -c "import balance.weighting_methods.rake, balance.weighting_methods.poststratify" >&2
touch "$stamp"
echo "$venv/bin/python"
