"""Demo data: real office names, demo accounts, and a plausible spread of responses.

Each office gets its own underlying quality so the comparison has real differences to find,
some offices improve between the two half-years, and inspectors' checklists miss the items
audits most often find missed (asking the caller's surname, telling everything at once).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select

from analysis.periods import Period
from forms.builder import offered
from forms.types import Stored
from webapp.capture import store as storage
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import CheckPlan
from webapp.demo import contacts as contact_demo
from webapp.demo import staff as staff_demo
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.accounts import User
from webapp.programme.offices import OFFICE_KINDS, Kiosk, Office, upsert_offices

TAIPEI_HOUSEHOLD = ["松山", "信義", "大安", "中山", "中正", "大同", "萬華", "文山", "南港", "內湖",
                    "士林", "北投"]
TAIPEI_HOUSEHOLD_CODES = ["SONGSHAN", "XINYI", "DAAN", "ZHONGSHAN", "ZHONGZHENG", "DATONG",
                          "WANHUA", "WENSHAN", "NANGANG", "NEIHU", "SHILIN", "BEITOU"]
NEW_TAIPEI_LAND = ["板橋", "三重", "中和", "新莊", "新店", "汐止", "淡水", "樹林", "三峽", "瑞芳",
                   "林口"]
NEW_TAIPEI_LAND_CODES = ["BANQIAO", "SANCHONG", "ZHONGHE", "XINZHUANG", "XINDIAN", "XIZHI",
                         "TAMSUI", "SHULIN", "SANXIA", "RUIFANG", "LINKOU"]
DEMO_ROLES = ("admin", "coordinator", "analyst", "reviewer", "inspector", "inspector2", "office")
DEMO_NAMES = {"admin": "林管理", "coordinator": "黃督導", "analyst": "陳分析", "reviewer": "李審核",
              "inspector": "王查核", "inspector2": "吳查核", "office": "張主任"}


def english(code: str) -> str:
    """``ZHONGZHENG`` -> ``Zhongzheng``: the district's romanised name."""
    return code.capitalize()


def office_rows() -> list[dict]:
    rows = [
        {"code": f"TPH-{code}"[:16], "name": f"臺北市{name}區戶政事務所", "kind": "household",
         "city": "臺北市", "district": f"{name}區",
         "name_en": f"{english(code)} District Household Registration Office, Taipei City"}
        for name, code in zip(TAIPEI_HOUSEHOLD, TAIPEI_HOUSEHOLD_CODES, strict=True)
    ]
    rows += [
        {"code": f"NTL-{code}"[:16], "name": f"新北市{name}地政事務所", "kind": "land",
         "city": "新北市", "district": f"{name}區",
         "name_en": f"{english(code)} Land Office, New Taipei City"}
        for name, code in zip(NEW_TAIPEI_LAND, NEW_TAIPEI_LAND_CODES, strict=True)
    ]
    return rows


def recent_halves(today: datetime, count: int = 2) -> list[Period]:
    """The last ``count`` completed half-years, oldest first."""
    period = Period.half_of(today).previous()
    halves = [period]
    for _ in range(count - 1):
        halves.insert(0, halves[0].previous())
    return halves


def _moment(rng: np.random.Generator, period: Period) -> datetime:
    start = datetime.combine(period.start(), datetime.min.time(), TAIPEI)
    days = (period.end() - period.start()).days
    day = start + timedelta(days=int(rng.integers(0, days)))
    while day.weekday() >= 5:
        day -= timedelta(days=2)
    return day + timedelta(hours=8, minutes=int(rng.integers(0, 9 * 60)))


def _likert(rng: np.random.Generator, latent: float) -> int | None:
    if rng.random() < 0.04:
        return None
    return int(np.clip(np.rint(latent + rng.normal(0, 0.5)), 1, 5))


def load(*, scale: float = 1.0, seed: int = 113, today: datetime | None = None) -> dict:
    """Load offices, accounts, kiosks and responses; return what a person needs to log in."""
    rng = np.random.default_rng(seed)
    today = today or datetime.now(TAIPEI)
    upsert_offices(office_rows())
    offices = db.session.scalars(select(Office).order_by(Office.id)).all()
    logins = {}
    for role in DEMO_ROLES:
        email = f"{role}@demo.example.tw"
        if db.session.scalar(select(User).where(User.email == email)) is None:
            password = secrets.token_urlsafe(9)
            user = User(email=email, role=role.rstrip("2"), display_name=DEMO_NAMES[role],
                        office_id=offices[0].id if role == "office" else None)  # its director
            user.set_password(password)
            db.session.add(user)
            logins[email] = password
    for office in offices:
        if db.session.scalar(select(func.count()).select_from(Kiosk)
                             .where(Kiosk.office_id == office.id)) == 0:
            db.session.add(Kiosk(office_id=office.id, token=secrets.token_urlsafe(16),
                                 label=f"{office.name} 櫃檯平板 1"))
    db.session.commit()
    inspector = db.session.scalar(select(User).where(User.role == "inspector").order_by(User.id))

    survey_version, survey = instruments.current("satisfaction")
    likert_keys = survey.likert_keys()
    services = [o["key"] for o in survey.question("service_used")["options"]]
    service_question = survey.question("service_used")
    offered_services = {kind: [o["key"] for o in offered(service_question, kind)["options"]]
                        for kind in OFFICE_KINDS}
    ages = [o["key"] for o in survey.question("age_band")["options"]]
    # what citizens write goes with how they felt: the comments page and its themes need both
    comments = {
        "low": ["等候時間有點久。", "證件辦錯了，請回電 0912-345-678（A123456789）",
                "櫃檯人員態度很差，等了一個小時", "停車位太少，繞了好久才找到位置",
                "標示不清楚，找不到要去哪個櫃檯", "線上預約系統很難用，一直當機",
                "要帶的文件網站上沒寫清楚，白跑一趟", "冷氣太冷，座位也不夠", ""],
        "mid": ["希望增加停車位。", "建議增加週末服務時段", "人員很親切，但是等太久了",
                "請問地籍謄本可以線上申請嗎？", ""],
        "high": ["服務很親切，謝謝！", "<b>很好</b> & 快速", "承辦人很專業，解說清楚",
                 "不會等很久，很有效率", "環境乾淨明亮", "志工主動引導，很快就找到櫃檯", ""],
    }
    halves = recent_halves(today)
    base_quality = rng.uniform(-0.45, 0.5, size=len(offices))
    improvement = rng.normal(0.05, 0.15, size=len(offices))
    count = 0
    for h, period in enumerate(halves):
        for i, office in enumerate(offices):
            quality = base_quality[i] + h * improvement[i]
            for _ in range(int(rng.integers(40, 110) * scale)):
                # One latent impression per citizen, so the items hang together as a scale.
                latent = 4.3 + 0.8 * quality + rng.normal(0, 0.7)
                if rng.random() < 0.06:      # a bad day: the few who leave unhappy
                    latent = rng.normal(2.0, 0.7)
                answers: dict[str, Stored | None] = {
                    k: Stored(_likert(rng, latent)) for k in likert_keys
                }
                svc = offered_services[office.kind]
                answers["service_used"] = Stored(services.index(choice := str(rng.choice(svc)))
                                                 + 1, choice)
                age = str(rng.choice(ages))
                answers["age_band"] = Stored(ages.index(age) + 1, age)
                mood = "low" if latent < 3 else "high" if latent >= 4 else "mid"
                comment = str(rng.choice(comments[mood])) if rng.random() < 0.3 else ""
                answers["comment"] = Stored(None, comment) if comment else None
                storage.store(
                    version=survey_version, instrument=survey, office=office,
                    channel=str(rng.choice(["kiosk", "personal", "paper"], p=[.6, .3, .1])),
                    status="submitted", occurred_at=_moment(rng, period), answers=answers,
                    idempotency_key=f"demo-{seed}-{count}", commit=False, lookup=False,
                )
                count += 1
            for key, per_half in (("phone", 3), ("mystery", 2)):
                version, instrument = instruments.current(key)
                for _ in range(max(1, int(per_half * scale))):
                    answers = {}
                    transfer = bool(rng.random() < 0.5)  # half the calls need a transfer
                    for question in instrument.questions():
                        qkey, qtype = question["key"], question["type"]
                        hard = qkey in ("asks_surname", "all_at_once", "bilingual_signs",
                                        "offers_callback", "supplies")
                        p_yes = np.clip(0.8 + 0.25 * quality - (0.3 if hard else 0), 0.05, 0.99)
                        if qkey == "needs_transfer":
                            answers[qkey] = Stored(int(transfer))
                        elif question.get("relevant") and not transfer:
                            answers[qkey] = None  # the transfer items do not apply
                        elif qtype == "yes_no_na":
                            answers[qkey] = Stored(int(rng.random() < p_yes))
                        elif qkey == "rings":
                            answers[qkey] = Stored(int(rng.poisson(3.2 - quality)))
                        elif qkey == "wait_minutes":
                            answers[qkey] = Stored(int(rng.gamma(2.0, 5 - 2 * quality)))
                        elif qkey == "scenario":
                            answers[qkey] = Stored(None, "詢問" + ("戶籍謄本申請" if office.kind ==
                                                               "household" else "土地登記") + "應備文件")
                    storage.store(
                        version=version, instrument=instrument, office=office,
                        channel="inspector", status="approved" if h == 0 or rng.random() < .85
                        else "submitted", occurred_at=_moment(rng, period), answers=answers,
                        idempotency_key=f"demo-{seed}-{count}", inspector=inspector, commit=False,
                        lookup=False,
                    )
                    count += 1
        db.session.commit()
    plan_checks(today)
    contact_demo.requests(offices[0], str(halves[-1]))   # the demo office manager's office
    staff_answers = staff_demo.rounds(rng, halves, offices)
    return {"logins": logins, "submissions": count, "halves": [str(p) for p in halves],
            "staff_answers": staff_answers}


def plan_checks(today: datetime) -> None:
    """This quarter's phone tests and this half-year's visits, planned by the coordinator."""
    from flask import current_app

    coordinator = db.session.scalar(select(User).where(User.role == "coordinator"))
    for key, period in (("phone", Period.quarter_of(today)), ("mystery", Period.half_of(today))):
        if coordinator is None or db.session.scalar(select(CheckPlan).where(
                CheckPlan.period == str(period), CheckPlan.instrument_key == key)):
            continue
        with current_app.test_request_context():   # the notifications link to the task list
            try:
                plans.publish(plans.create(key, str(period), 1, by=coordinator), by=coordinator)
            except plans.PlanError:   # demo data for a day long past: nothing left to plan
                db.session.rollback()
    db.session.commit()
