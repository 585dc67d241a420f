#!/bin/bash
# The house rules of src/ (see src/README.md): file and function sizes, one-way includes.
set -euo pipefail
exec python3 "${SRCDIR:-$(dirname "$0")/../..}/tests/tools/house.py" "${SRCDIR:-$(dirname "$0")/../..}/src"
