#!/usr/bin/env bash
# Set up Kaifang on a fresh machine and run either the main job or the test suite.
#   bash scripts/bootstrap.sh demo   # install, then ingest + scan + propose the sample collection and serve the app
#   bash scripts/bootstrap.sh test   # install (plus test-only tools), then run the whole test suite
set -euo pipefail
mode="${1:-demo}"; shift || true
case "$mode" in demo|test|install) ;; *) echo "usage: bash scripts/bootstrap.sh demo|test|install" >&2; exit 2;; esac
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ORT_DISABLE_TELEMETRY=1 PIP_DISABLE_PIP_VERSION_CHECK=1

need_apt=()
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr tesseract-ocr-chi-sim)
[ -f /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata ] || need_apt+=(tesseract-ocr-chi-sim)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need_apt+=(fonts-wqy-zenhei)
if [ "$mode" = test ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing system packages: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}") >/tmp/kaifang-apt.log 2>&1 \
      || { echo "warning: apt-get install ${need_apt[*]} failed (see /tmp/kaifang-apt.log); OCR falls back to RapidOCR and browser tests will fail" >&2; }
  else
    echo "warning: cannot install ${need_apt[*]} (need root and apt-get); install them by hand" >&2
  fi
fi

PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || { echo "Kaifang needs Python 3.11 ($PY not found); set PYTHON=/path/to/python3.11" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
echo "== installing Python packages into .venv"
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
# torch first and pinned: a CPU build lies on disk; an unpinned torch would pull a CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import kaifang, models, review_app, training" || { echo "install failed" >&2; exit 1; }

if [ "$mode" = test ]; then
  bash scripts/test_services.sh
  exec .venv/bin/python -m pytest "$@"
fi
if [ "$mode" = demo ]; then
  exec .venv/bin/kaifang demo "$@"
fi
