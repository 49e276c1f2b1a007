"""Screenshots of the pages people use, for a look at layout, tap targets and Chinese text.

    python scripts/screenshots.py OUTDIR

Starts the app on a scratch SQLite database in a temporary directory (migrated, demo data at
scale 0.2, a random SECRET_KEY, CSRF on), serves it on 127.0.0.1 at a free port and drives
Debian's headless Chromium (``/usr/bin/chromium`` or ``$CHROMIUM``; never downloads one) to save
full-page PNGs: the kiosk survey on a landscape tablet, a portrait tablet and a phone (blank
and with a validation error), the kiosk thanks page, the personal-device survey, the English
survey, the sign-in page, the phone-courtesy and mystery-shopper checklists, and the result
page of a submitted phone test.  Nothing outside the temporary directory and OUTDIR is written.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import select  # noqa: E402
from support import browser  # noqa: E402  (tests/support/browser.py: live server, Chromium)

from analysis.periods import Period  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.capture.staff import services as staff_survey  # noqa: E402
from webapp.capture.submissions import Submission  # noqa: E402
from webapp.capture.survey import codes  # noqa: E402
from webapp.cycle.plans.models import CheckPlan  # noqa: E402
from webapp.demo import data as demo  # noqa: E402
from webapp.platform.db import TAIPEI  # noqa: E402
from webapp.platform.extensions import db  # noqa: E402
from webapp.programme import instruments  # noqa: E402
from webapp.programme.offices import Kiosk, Office  # noqa: E402

SIZES = {"1024x768": browser.TABLET, "768x1024": browser.TABLET_PORTRAIT, "390x844": browser.PHONE}


def scratch_app(directory: Path):
    """The app on a fresh, migrated SQLite file with demo data; returns (app, facts)."""
    from flask_migrate import upgrade

    app = create_app({
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'demo.db'}",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        instruments.sync_defaults()
        db.session.commit()
        loaded = demo.load(scale=float(os.environ.get("DEMO_SCALE", "0.2")))
        kiosk = db.session.scalars(select(Kiosk).order_by(Kiosk.id)).first()
        office = db.session.scalars(select(Office).order_by(Office.id)).first()
        personal = [f"/survey/{office.code}?c={code}" for code in codes.issue(office, 2)]
        now = Period.half_of(datetime.now(TAIPEI))
        staff_round = staff_survey.open_round(now, {office: 14})
        staff_code = staff_survey.issue(staff_round, office.id, 1)[0]
        db.session.commit()
        plan = db.session.scalars(select(CheckPlan).order_by(CheckPlan.id.desc())).first()
        record = db.session.scalars(select(Submission).where(
            Submission.channel == "inspector", Submission.instrument_key == "mystery",
            Submission.status == "submitted").order_by(Submission.id)).first()
        facts = {"kiosk": kiosk.token, "office": office.code, "logins": loaded["logins"],
                 "personal": personal, "staff_code": staff_code, "staff_round": staff_round.id,
                 "plan": plan.id if plan else None,
                 "assignment": plan.assignments[0].id if plan and plan.assignments else None,
                 "record": record.id if record else None}
        db.session.remove()
        db.engine.dispose()
    return app, facts


def choose(page, question: str, answer: str) -> None:
    page.locator(f"#q-{question} label.choice").filter(
        has=page.get_by_text(answer, exact=True)).click()


def take(chromium, base_url: str, outdir: Path, saved: list[Path], facts: dict) -> None:
    def shot(page, name: str) -> None:
        """The whole page, or its first 12,000 px: Chromium gives up on taller captures (the
        report at phone width is one), and the top is what a reader sees first."""
        path = outdir / f"{name}.png"
        height = page.evaluate("document.documentElement.scrollHeight")
        width = page.viewport_size["width"]
        if height > 12_000:
            page.screenshot(path=str(path), full_page=True,
                            clip={"x": 0, "y": 0, "width": width, "height": 12_000})
        else:
            page.screenshot(path=str(path), full_page=True)
        saved.append(path)

    def new_page(options: dict):
        context = chromium.new_context(base_url=base_url, locale="zh-TW", **options)
        context.set_default_timeout(60_000)
        return context, context.new_page()

    def sign_in_as(page, role: str) -> None:
        page.goto("/login")
        page.get_by_label("電子郵件").fill(f"{role}@demo.example.tw")
        page.get_by_label("密碼").fill(facts["logins"][f"{role}@demo.example.tw"])
        page.get_by_role("button", name="登入").click()
        page.wait_for_load_state()

    kiosk_url = f"/kiosk/{facts['kiosk']}"
    for width in (360, 390, 768, 1024):      # the citizen's survey, both languages
        for lang in ("zh_Hant_TW", "en"):
            context, page = new_page({"viewport": {"width": width, "height": 800},
                                      "has_touch": True})
            page.goto(f"{kiosk_url}?lang={lang}")
            shot(page, f"kiosk-{width}-{lang}")
            context.close()
    context, page = new_page(browser.TABLET)   # the idle warning, on the page's own clock
    page.clock.install()
    page.goto(kiosk_url)
    choose(page, "attitude", "非常滿意")
    page.clock.run_for(155_000)
    page.get_by_role("alertdialog").wait_for()
    path = outdir / "kiosk-idle-warning-1024x768.png"
    page.screenshot(path=str(path))                # the viewport: the warning is fixed to it
    saved.append(path)
    page.goto("/accessibility")
    shot(page, "accessibility-1024x768")
    page.goto("/accessibility?lang=en")
    shot(page, "accessibility-en-1024x768")
    context.close()
    for size, options in SIZES.items():
        context, page = new_page(options)
        page.goto(kiosk_url)
        shot(page, f"kiosk-{size}-blank")
        choose(page, "attitude", "非常滿意")
        choose(page, "knowledge", "滿意")
        choose(page, "age_band", "65歲以上")
        page.locator("form button[type=submit]").click()
        page.locator("#err-overall").wait_for()
        shot(page, f"kiosk-{size}-error")
        if size == "1024x768":
            choose(page, "overall", "滿意")
            page.locator("form button[type=submit]").click()
            page.wait_for_url(f"**{kiosk_url}/thanks")
            shot(page, f"kiosk-{size}-thanks")   # before its 20-second pause ends
        context.close()

    context, page = new_page(browser.PHONE)
    page.goto(facts["personal"][0])
    shot(page, "personal-390x844-blank")
    page.goto(facts["personal"][1] + "&lang=en")
    shot(page, "personal-390x844-english")
    context.close()

    email = "inspector@demo.example.tw"
    password = facts["logins"].get(email)
    if password is None:
        raise SystemExit(f"demo.load did not create {email}; use an empty scratch database")
    context, page = new_page(browser.DESKTOP)
    page.goto("/login")
    shot(page, "login-1024x768")
    page.get_by_label("電子郵件").fill(email)
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    page.wait_for_url("**/inspect/")
    shot(page, "inspect-index-1024x768")
    page.goto("/inspect/new/mystery")
    shot(page, "inspect-mystery-1024x768")
    page.get_by_label("受查機關").select_option(facts["office"])   # then the page is lost
    page.reload()
    shot(page, "inspect-restore-offer-1024x768")
    page.get_by_role("button", name="捨棄").click()
    page.goto("/inspect/new/phone")
    shot(page, "inspect-phone-1024x768")

    page.get_by_label("受查機關").select_option(facts["office"])
    page.get_by_label("查核時間").fill("2025-08-12T10:15")
    page.locator("#rings").fill("5")
    wrong = {"asks_surname": "否", "offers_callback": "否", "confirms_target": "不適用"}
    for fieldset in page.locator("fieldset.yes_no_na").all():
        key = (fieldset.get_attribute("id") or "").removeprefix("q-")
        fieldset.locator("label.choice").filter(
            has=page.get_by_text(wrong.get(key, "是"), exact=True)).click()
    page.locator("#scenario").fill("詢問戶籍謄本申請應備文件")
    page.get_by_role("button", name="送出").click()
    page.wait_for_load_state()
    if not re.search(r"/inspect/\d+$", page.url):
        shot(page, "inspect-phone-FAILED")
        raise SystemExit(page.locator(".error-summary, .error").all_inner_texts())
    shot(page, "inspect-phone-result-1024x768")
    context.close()

    for role, pages in (("analyst", [("/reports/", "reports"), ("/reports/quality", "quality")]),
                        ("reviewer", [("/review/", "review-queue")]),
                        ("admin", [("/admin/kiosks", "admin-kiosks"), ("/admin/users", "admin-users"),
                                   ("/admin/users/2", "admin-user-edit"), ("/admin/audit", "audit")])):
        context, page = new_page(browser.DESKTOP)
        sign_in_as(page, role)
        for path, name in pages:
            page.goto(path)
            shot(page, f"{name}-1280")
        context.close()

    # the pages issues 25, 26 and 31 changed, where they are read: a tablet and a phone
    for size in ("1024x768", "390x844"):
        context, page = new_page(SIZES[size])
        for path, name in ((f"/staff-survey/{facts['staff_code']}", "staff-form"),
                           ("/staff-survey", "staff-enter")):
            page.goto(path)
            shot(page, f"{name}-{size}")
        context.close()
    for role, pages in (("coordinator", [("/staff-rounds/", "staff-rounds"),
                                         (f"/staff-rounds/{facts['staff_round']}", "staff-round")]),
                        ("analyst", [("/reports/quality", "quality"), ("/open/publish", "publish"),
                                     ("/reports/", "report"),
                                     (f"/reports/office/{facts['office']}", "scorecard")]),
                        ("office", [("/reports/comments", "office-comments"),
                                    ("/cases/", "office-cases")]),
                        # issue 27: a plan, moving a task, a checklist, a record under review
                        ("coordinator", [("/plans/", "plans"), (f"/plans/{facts['plan']}", "plan"),
                                         (f"/plans/assignments/{facts['assignment']}",
                                          "plan-assignment")]),
                        ("inspector", [("/inspect/", "inspect-index"),
                                       ("/inspect/new/mystery", "inspect-mystery")]),
                        ("reviewer", [(f"/review/{facts['record']}", "review-decide")]),
                        ("admin", [("/admin/mail", "admin-mail")])):
        for size in ("1024x768", "390x844"):
            context, page = new_page(SIZES[size])
            sign_in_as(page, role)
            for path, name in pages:
                page.goto(path)
                shot(page, f"{name}-{size}")
            context.close()
    for size in ("1024x768", "390x844"):   # an edited workbook's preview: its words, its warning
        context, page = new_page(SIZES[size])
        sign_in_as(page, "admin")
        page.goto("/admin/instruments")
        edited = scratch_workbook(page.request.get("/admin/instruments/phone.xlsx").body())
        page.get_by_label("活頁簿").set_input_files(
            files=[{"name": "phone.xlsx", "buffer": edited, "mimeType": "application/octet-stream"}])
        page.get_by_role("button", name="上傳並預覽").click()
        page.wait_for_load_state()
        shot(page, f"instrument-preview-{size}")
        context.close()


def scratch_workbook(raw: bytes) -> bytes:
    """The phone checklist with one label reworded in Chinese only and one weight changed."""
    import io

    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(raw))
    sheet = book["items"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("key")].value == "tone":
            row[header.index("label::zh_TW")].value = "語氣溫和"
            row[header.index("points")].value = 8
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="where to write the PNG files")
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from playwright.sync_api import sync_playwright

    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="service-quality-shots-") as scratch:
        app, facts = scratch_app(Path(scratch))
        try:
            with browser.LiveServer(app) as server, sync_playwright() as playwright:
                try:
                    chromium = browser.launch_chromium(playwright)
                except browser.BrowserUnavailable as error:
                    print(error, file=sys.stderr)
                    return 2
                try:
                    take(chromium, server.url, args.outdir, saved, facts)
                finally:
                    chromium.close()
        finally:
            with app.app_context():
                db.engine.dispose()
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
