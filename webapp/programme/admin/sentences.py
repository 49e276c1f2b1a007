"""The audit log as sentences people read: 王小明 核准了 大安戶政 電話禮貌測試 #123.

Each event names its actor (by display name where the account still exists), a verb for its
action, and its target as people know it: a record by its office, instrument and number, an
account by its name, an office by its name.  The raw details stay one click away on the page.
Names are looked up for a whole page at once, a query per kind of target.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from analysis import periods
from forms.catalogue import CATALOGUE
from forms.instrument import pick
from webapp.platform import audit
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.offices import Kiosk, Office

VERBS = {
    "created": ("建立了", "created"), "changed": ("修改了", "changed"),
    "submitted": ("送出了", "submitted"), "approved": ("核准了", "approved"),
    "returned": ("退回了", "returned"), "deleted": ("刪除了", "deleted"),
    "imported": ("匯入了", "imported"), "exported": ("匯出了", "exported"),
    "kiosk_registered": ("登記了平板", "registered the tablet"),
    "kiosk_changed": ("變更了平板", "changed the tablet"),
    "user_created": ("建立了帳號", "created the account"),
    "user_changed": ("修改了帳號", "changed the account"),
    "office_changed": ("修改了機關", "changed the office"),
    "codes_issued": ("印製了問卷條碼", "printed QR slips for"),
    "instrument_published": ("發布了", "published"),
    "upload_refused": ("上傳了", "uploaded"),
    "published": ("發布了", "published"),
    "closed": ("結束了", "closed"),
}
#: the upload pages, by endpoint (webapp.security.takes_file), and why a file was refused
UPLOAD_PAGES = {"admin.import_offices": ("機關名冊", "the office registry"),
                "paper.upload": ("紙本問卷", "paper questionnaires"),
                "admin.upload_instrument": ("問卷活頁簿", "an instrument workbook"),
                "reports.upload_themes": ("主題目錄活頁簿", "the theme catalogue's workbook")}
REFUSALS = {"too_large": ("檔案太大", "too large"), "unreadable": ("無法讀取", "unreadable"),
            "empty": ("沒有資料", "empty"), "problems": ("%(n)s 處錯誤", "%(n)s problems")}
KINDS = {"offices": ("機關名冊", "the office registry"), "responses": ("原始資料", "raw responses"),
         "report": ("半年報", "the report"), "instrument_workbook": ("活頁簿", "the workbook of"),
         "theme_workbook": ("主題目錄活頁簿", "the theme catalogue's workbook"),
         "opendata": ("開放資料", "the open data of")}

def _ids(events: Sequence[AuditEvent], kind: str) -> set[int]:
    return {e.target_id for e in events if e.target_type == kind and e.target_id}


def sentences(events: Sequence[AuditEvent], locale: str) -> dict[int, str]:
    """Event id -> the sentence that says what happened."""
    en = locale.startswith("en")
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {e.actor_id for e in events if e.actor_id} | _ids(events, "user"))))}
    records = audit.target_rows("submission", _ids(events, "submission"))
    offices = {o.id: o for o in db.session.scalars(select(Office))}
    by_code = {o.code: o for o in offices.values()}
    kiosks = {k.id: k for k in db.session.scalars(select(Kiosk).where(
        Kiosk.id.in_(_ids(events, "kiosk"))))}

    def office_name(office: Office | None, code: str | None = None) -> str:
        if office is None:
            return code or "?"
        return (office.name_en or office.name) if en else office.name

    def instrument(key: str | None) -> str:
        return pick(CATALOGUE[key].name, locale) if key in CATALOGUE else (key or "")

    def period(text: str | None) -> str:
        return periods.label(text, locale)

    def target(e: AuditEvent) -> str:
        detail = e.detail or {}
        if e.target_type == "submission":
            record = records.get(e.target_id)
            place = record.office if record else by_code.get(detail.get("office"))
            key = record.instrument_key if record else detail.get("instrument")
            return f"{office_name(place, detail.get('office'))} {instrument(key)} #{e.target_id}"
        if e.target_type == "user" and e.target_id in people:
            return people[e.target_id].shown_name
        if e.target_type == "kiosk" and e.target_id in kiosks:
            return f"{office_name(kiosks[e.target_id].office)} {kiosks[e.target_id].label}"
        if e.target_type == "office" and e.action == "codes_issued":
            count = detail.get("count")
            return (f"{office_name(offices.get(e.target_id))} ({count})" if en else
                    f"{office_name(offices.get(e.target_id))} {count} 張")
        if e.target_type == "office":
            return office_name(offices.get(e.target_id), detail.get("added"))
        if e.target_type == "instrument":
            number = detail.get("version")
            return (f"{instrument(detail.get('key'))} v{number}" if en else
                    f"{instrument(detail.get('key'))} 第 {number} 版")
        if e.target_type == "theme_catalogue":
            number = detail.get("version")
            return (f"the comment themes v{number}" if en else f"民眾意見主題目錄 第 {number} 版")
        if e.target_type == "comment":
            return (f"the themes of comment #{e.target_id}" if en else f"留言 #{e.target_id} 的主題")
        if e.target_type == "case":
            return (f"improvement case #{e.target_id}" if en else f"改善追蹤案 #{e.target_id}") + (
                f" ({detail['item']})" if detail.get("item") else "")
        if e.target_type == "plan":
            what = f"{period(detail.get('period'))} {instrument(detail.get('instrument'))}"
            return (f"the plan for {what}" if en else f"{what}排程") + (
                f" (#{detail['assignment']})" if detail.get("assignment") else "")
        if e.target_type == "staff_round":
            what = f"{period(detail.get('period'))} {instrument('staff')}".strip()
            if e.action == "codes_issued":
                place = office_name(offices.get(detail.get("office_id")))
                return (f"{what}: {place} ({detail.get('count')})" if en else
                        f"{what}：{place} {detail.get('count')} 個代碼")
            return what if detail.get("period") else (
                f"staff survey round #{e.target_id}" if en else f"內部同仁滿意度調查 #{e.target_id}")
        if e.target_type == "calibration":
            return (f"calibration round #{e.target_id}" if en else f"校準回合 #{e.target_id}")
        if e.target_type == "retention":
            if en:
                return ("past their keeping time: {comments_masked} comments masked, "
                        "{evidence_photos} visit photos and {case_photos} case photos").format(**detail)
            return ("超過保存期限的資料：遮蔽留言 {comments_masked} 則、查核照片 {evidence_photos} 張、"
                    "改善照片 {case_photos} 張").format(**detail)
        if e.target_type == "mail":
            return (f"mail #{e.target_id}, to be sent again" if en else
                    f"通知信 #{e.target_id}，將重新寄送")
        if e.target_type == "photo":
            record = detail.get("record")
            return f"a photo of record #{record}" if en else f"紀錄 #{record} 的照片"
        if e.target_type == "api_token":
            return (f"the API token “{detail.get('name', '')}”" if en else
                    f"API 金鑰「{detail.get('name', '')}」") if "name" in detail else (
                "an API token" if en else "API 金鑰") + f" #{e.target_id}"
        if e.target_type == "publication":
            number = detail.get("version")
            return (f"the open data of {period(detail.get('period'))} v{number}" if en else
                    f"{period(detail.get('period'))} 開放資料 第 {number} 版")
        if e.target_type == "upload":
            where = UPLOAD_PAGES.get(detail.get("page"), (detail.get("page"), detail.get("page")))
            why = REFUSALS.get(detail.get("reason"), ("", ""))[1 if en else 0]
            why = why % {"n": detail.get("problems")} if "%(n)s" in why else why
            return (f"a file for {where[1]}, refused ({why})" if en else
                    f"{where[0]}檔案，未被接受（{why}）")
        if e.target_type in KINDS:
            what = KINDS[e.target_type][1 if en else 0]
            key = detail.get("instrument")
            said = " ".join(x for x in (what, instrument(key) if key != "all" else "",
                                        period(detail.get("period"))) if x)
            return said + (through_api(detail) if detail.get("via") == "api" else "")
        return f"{e.target_type} #{e.target_id}" if e.target_id else e.target_type

    def through_api(detail: dict) -> str:
        rows, office = detail.get("rows"), detail.get("office")
        if en:
            return f" through the API, {rows} rows" + (f", office {office}" if office else "")
        return f"（API，{rows} 筆" + (f"，機關 {office}" if office else "") + "）"

    said = {}
    for e in events:
        who = people[e.actor_id].shown_name if e.actor_id in people else e.actor
        if who == "cli":
            who = "command line" if en else "命令列"
        elif who.startswith("api:") and (e.detail or {}).get("token_name"):
            name = e.detail["token_name"]
            who = f"API token “{name}”" if en else f"API 金鑰「{name}」"
        verb = VERBS.get(e.action, (e.action, e.action))[1 if en else 0]
        said[e.id] = f"{who} {verb} {target(e)}"
    return said
