"""The admin's retraining panel in headless Chromium: start a job, watch its progress update
without reloading (htmx polling under the app's CSP). The worker is a stand-in that only queues the
job through the real store, so the test needs no training run."""
from __future__ import annotations

import pytest

from live_server import serve
from test_ui import PASSWORD, _login, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    from sqlmodel import Session

    from kaifang.cli.serve import build_app
    from review_app.config import Settings
    from review_app.db import make_engine, upgrade
    from review_app.queue import ORDERS
    from review_app.store import model_registry as registry
    from review_app.store import users

    tmp = tmp_path_factory.mktemp("admin-ui")
    eng = make_engine(f"sqlite:///{tmp / 'ui.db'}")
    upgrade(eng)
    with Session(eng, expire_on_commit=False) as s:
        users.create_user(session=s, username="adm1", password=PASSWORD, role="admin", actor="setup")
    app = build_app(Settings(home=tmp / "home", secret_key="c" * 40), eng)

    def start_training(actor):
        with Session(eng, expire_on_commit=False) as s:
            return registry.create_job(session=s, started_by=actor)

    app.state.start_training = start_training
    with serve(app) as base:
        yield base, eng
    ORDERS.pop("active", None)
    eng.dispose()


def test_start_retraining_and_watch_progress(admin_server, browser):  # noqa: F811
    from playwright.sync_api import expect
    from sqlmodel import Session

    from review_app.store import model_registry as registry

    base, eng = admin_server
    page = _login(browser, base, "adm1")
    page.goto(base + "/admin")
    expect(page.locator("#training-jobs")).to_contain_text("尚无训练任务")
    page.click("#start-training button[type=submit]")
    page.wait_for_url("**/admin#training")
    row = page.locator("#training-jobs tr[data-job]")
    expect(row).to_have_attribute("data-status", "queued")
    expect(row).to_contain_text("排队中")
    with Session(eng) as s:
        job = registry.list_jobs(session=s)[0]
        registry.set_job_running(session=s, job_id=job.id, pid=0)
        registry.update_job_progress(session=s, job_id=job.id, progress=0.5, message="训练 NER 模型 epoch 3")
    expect(row).to_contain_text("epoch 3", timeout=8000)  # polled in, no reload
    with Session(eng) as s:
        registry.finish_job(session=s, job_id=job.id, status="succeeded", message="not promoted cand-1: worse",
                            candidate="cand-1")
    expect(row).to_contain_text("已完成", timeout=8000)
    expect(page.locator("#training-jobs[hx-trigger]")).to_have_count(0)  # polling stopped
    assert page.csp_errors == []
