"""A real Label Studio server for the round-trip tests: fresh data dir, free port, loopback only.

Installed in .venv-ls by scripts/test_services.sh (its pins clash with the main venv). Started
with the non-interactive user/token variables found in ../shared/ENVIRONMENT.md; stopped after.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LS_BIN = Path(os.environ.get("KAIFANG_LABEL_STUDIO_BIN", ROOT / ".venv-ls" / "bin" / "label-studio"))
TOKEN = "kaifang0test0token0for0label0studio0000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    if not LS_BIN.exists():
        msg = f"Label Studio is not installed at {LS_BIN}; run scripts/test_services.sh"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    data = tmp_path_factory.mktemp("label-studio")
    port = _free_port()
    env = {
        **os.environ,
        "LABEL_STUDIO_USERNAME": "annotator@kaifang.test", "LABEL_STUDIO_PASSWORD": "kaifang-test-pw-1",
        "LABEL_STUDIO_USER_TOKEN": TOKEN, "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data), "HOME": str(data), "SECRET_KEY": "kaifang-test-secret",
        "LATEST_VERSION_CHECK": "false", "COLLECT_ANALYTICS": "false", "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "",
        "DJANGO_DB": "sqlite",
    }
    log = open(data / "server.log", "wb")
    proc = subprocess.Popen(
        [str(LS_BIN), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data / "data")],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=str(data))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"Label Studio exited ({proc.returncode}): "
                                   + (data / "server.log").read_text(errors="replace")[-3000:])
            try:
                req = urllib.request.Request(f"{url}/api/projects", headers={"Authorization": f"Token {TOKEN}"})
                with urllib.request.urlopen(req, timeout=3) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Label Studio did not come up in 300 s: "
                                   + (data / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(1)
        yield {"url": url, "token": TOKEN, "user": "annotator@kaifang.test"}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
        shutil.rmtree(data, ignore_errors=True)
