#!/usr/bin/env bash
# Start what the tests talk to: PostgreSQL on 127.0.0.1:5432, and a Label Studio install in .venv-ls.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "== starting PostgreSQL"
  if ls /etc/postgresql >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || echo "warning: PostgreSQL is not running on 127.0.0.1:5432" >&2
if [ ! -x .venv-ls/bin/label-studio ]; then
  echo "== installing Label Studio into .venv-ls (its pins clash with the main venv)"
  "${PYTHON:-python3.11}" -m venv .venv-ls
  .venv-ls/bin/python -m pip install -q "label-studio==1.23.2" 2>&1 | grep -v "is ignored" || true
fi
exit 0
