"""What a deployment can set, with the defaults an embedded install runs on.

``create_app`` applies these first, then ``instance/config.py`` (secrets and the SQLite file live
in the instance folder, never in the repository), then ``FLASK_*`` environment variables,
``DATABASE_URL`` and ``REDIS_URL``, and finally a test's own mapping.  Each setting says why
it is there; the README lists the ones an operator changes.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import make_url

from webapp.platform.i18n import LOCALES


def defaults(instance_path: str, root_path: str) -> dict[str, Any]:
    """The settings an app starts from; paths depend on where the instance folder is."""
    return dict(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(instance_path, "service.db"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE=LOCALES[0],
        BABEL_DEFAULT_TIMEZONE="Asia/Taipei",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(root_path, "translations"),
        MAX_CONTENT_LENGTH=256 * 1024,
        MAX_UPLOAD_LENGTH=2 * 1024 * 1024,   # a page marked takes_file: a workbook, a paper batch
        PHOTO_MAX_UPLOAD=8 * 1024 * 1024,    # a mystery visit photo as a phone takes it
        PHOTO_DIR=None,  # where evidence photos are kept; None: instance/photos
        # where stored files live instead: s3://bucket?endpoint=http://host:8333 (keys from the
        # environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or file:///a/folder
        STORAGE_URL=os.environ.get("STORAGE_URL") or None,
        # how long what can point to a person is kept, in days (0: for good); reporting/retention.py
        RETAIN_COMMENT_DAYS=180,           # then only the masked text: a half-year's report read
        RETAIN_EVIDENCE_PHOTOS_DAYS=730,   # after approval or the case's close: a year's review
        RETAIN_CASE_PHOTOS_DAYS=730,       # after the case closed
        # a citizen's call-back details, after the contact case closed (the consent says so)
        RETAIN_CONTACT_DAYS=30,
        CONTACT_DUE_WORKING_DAYS=3,   # a call-back request is answered within this many
        CONTACT_OFFER_MINUTES=30,     # the thank-you page's call-back offer lasts this long
        # days the offices are closed besides weekends, as ISO dates (國定假日), for due dates
        # counted in working days; e.g. FLASK_DAYS_OFF='["2027-01-01", "2027-02-08"]'
        DAYS_OFF=[],
        # "json": every log line one JSON object, without personal data (platform/logs.py)
        LOG_FORMAT=os.environ.get("LOG_FORMAT", "text"),
        WTF_CSRF_TIME_LIMIT=None,  # a kiosk page may stay open all day
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # Redis unreachable: count in memory until it is back, rather than fail every survey POST
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        # Compressed: the stylesheets and scripts, the SVG charts, JSON and CSV.  HTML is not: a
        # page carries the session's CSRF token beside what the visitor typed (a search, a
        # filter), and compressing both together leaks the token to someone who can watch the
        # sizes (BREACH).  Charts are most of the report's weight, so it still loads in less.
        COMPRESS_MIMETYPES=["text/css", "text/javascript", "application/javascript",
                            "application/json", "application/problem+json", "image/svg+xml",
                            "text/csv", "application/manifest+json"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        # Static files go out as file streams: nginx compresses those (deploy/nginx.conf.example);
        # Flask-Compress would leave each file open until garbage collection.
        COMPRESS_STREAMS=False,
        COMPRESS_MIN_SIZE=512,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        SURVEY_REQUIRE_CODE=True,  # personal-device surveys need a one-time QR code
        KIOSK_QUEUE_MAX_HOURS=24,  # a counter tablet's offline answers are taken this long after
        KIOSK_CLOCK_FLAG_MINUTES=10,  # a tablet clock this far off is flagged on the quality page
        # what QR codes and mail links point at; unset, the web pages use the address the admin
        # is using (warned when it is a loopback one) and commands http://127.0.0.1:5000
        PUBLIC_BASE_URL=None,
        SESSION_COOKIE_SECURE=False,  # set FLASK_SESSION_COOKIE_SECURE=true behind HTTPS
        TRUSTED_PROXIES=0,  # reverse proxies in front (X-Forwarded-For / -Proto are trusted)
        STAFF_IDLE_MINUTES=30,  # a staff session idle this long is signed out (shared tablets)
        STAFF_MIN_N=5,  # staff answers an office needs before its staff-survey results are shown
        # an item fewer staff of an office agree with than this opens an internal improvement case
        STAFF_IMPROVEMENT_RATE=0.6,
        REPORT_MIN_N=30,  # respondents an office needs before the report judges it
        INSPECTION_MIN_CHECKS=3,  # checks an office needs for an office-period grade
        OPEN_DATA_MIN_N=30,  # respondents a published open-data cell needs; fewer: suppressed
        OPEN_DATA_MIN_CHECKS=1,  # approved checks an office's published inspection cell needs
        # the office's choices in the open data's metadata.json, as data.gov.tw lists a dataset
        # (its field names in brackets; publishing/opendata/portal.py makes the rest)
        OPEN_DATA_PUBLISHER="服務品質督導小組",  # [提供機關] the agency publishing the dataset
        OPEN_DATA_CONTACT="服務品質業務承辦人",  # [提供機關聯絡人姓名] a name or a post
        OPEN_DATA_CONTACT_PHONE="",  # [提供機關聯絡人電話] 02-XXXX-XXXX#分機; data.gov.tw needs one
        OPEN_DATA_CONTACT_EMAIL="",  # the contact's e-mail (in [備註]: the portal has no column)
        OPEN_DATA_PROVISION="檔案資料",  # [資料提供屬性] 檔案資料 (files) or API服務
        OPEN_DATA_CATEGORY="公共資訊",  # [服務分類] one of the portal's service categories
        OPEN_DATA_UPDATE_FREQUENCY="每6月",  # [更新頻率] 每6月 for half-years, or 不定期更新
        MAIL_URL=None,  # smtp://host:25, smtp+starttls://user:pass@host:587: notifications by mail too
        MAIL_FROM="service-quality@localhost",
        API_RATE_TOKEN="600/minute",      # /api/v1 requests per token
        API_RATE_ANONYMOUS="60/minute",   # /api/v1 requests per address without a token
        # who hears about accessibility problems (shown on /accessibility)
        ACCESSIBILITY_CONTACT="服務品質業務承辦人 / the service-quality officer",
    )


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def private_sqlite_file(uri: str) -> None:
    """Create a new SQLite database file readable by this account only (0600); SQLite gives
    its -wal and -shm files the same mode.  An existing file keeps the mode it has."""
    url = make_url(uri)
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return
    if not os.path.exists(path) and os.path.isdir(os.path.dirname(os.path.abspath(path))):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
