#!/usr/bin/env bash
# Refresh docs/img/<typology>.png: the Browser test draws each ring query's graph form and saves what it shows.
set -euo pipefail
cd "$(dirname "$0")/.."
GRAPHGEN_SCREENSHOTS=docs/img .venv/bin/pytest -q tests/test_browser.py
