"""``python -m benchmarks.submit --profile N``: where one form page and one submission spend
their time, by cProfile, in-process through Flask's test client (no HTTP, no gunicorn)."""

from __future__ import annotations

import tempfile
import time

from benchmarks.dataset import deploy
from benchmarks.http_load import form_fields


def profile_requests(count: int) -> None:
    """Subprocess: where one form page and one submission spend their time, by cProfile,
    in-process through Flask's test client (no HTTP, no gunicorn): what holds the server back."""
    import cProfile
    import logging
    import pstats

    from sqlalchemy import select

    from webapp import create_app
    from webapp.demo import data as demo
    from webapp.platform.extensions import db
    from webapp.programme.offices import Kiosk

    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "profile", "SQLALCHEMY_DATABASE_URI":
                          f"sqlite:///{tmp}/profile.db", "RATELIMIT_ENABLED": False})
        with app.app_context():
            deploy()
            demo.load(scale=0.02)
            token = db.session.scalar(select(Kiosk.token).limit(1))
        client, url = app.test_client(), f"/kiosk/{token}"

        def page_fields(html: str) -> dict:
            hidden, radios, _t = form_fields(html)
            return hidden | {name: values[0] for name, values in radios.items()}

        for _ in range(20):  # warm: templates compiled, instrument cached
            client.post(url, data=page_fields(client.get(url).get_data(as_text=True)))
        get_s = post_s = 0.0
        for _ in range(min(count, 100)):  # the same without the profiler, which inflates
            start = time.perf_counter()   # code made of many small calls the most
            data = page_fields(client.get(url).get_data(as_text=True))
            middle = time.perf_counter()
            client.post(url, data=data)
            get_s, post_s = get_s + middle - start, post_s + time.perf_counter() - middle
        print(f"without the profiler: GET form {get_s * 1000 / min(count, 100):.2f} ms (incl. "
              f"parsing the page), POST submit {post_s * 1000 / min(count, 100):.2f} ms")
        forms = []
        timings = {}
        for kind in ("GET form", "POST submit"):
            profiler = cProfile.Profile()
            if kind == "GET form":
                start = time.perf_counter()
                profiler.enable()
                pages = [client.get(url).get_data(as_text=True) for _ in range(count)]
            else:
                start = time.perf_counter()
                profiler.enable()
                for data in forms:
                    assert client.post(url, data=data).status_code == 302
            profiler.disable()
            timings[kind] = (time.perf_counter() - start) / count * 1000
            if kind == "GET form":
                forms = [page_fields(html) for html in pages]
            stats = pstats.Stats(profiler)
            total = sum(tt for _cc, _nc, tt, _ct, _callers in stats.stats.values())
            print(f"{kind}: {timings[kind]:.2f} ms per request under the profiler "
                  f"(profiled CPU {total / count * 1000:.2f} ms); share of it in:")
            shown = set()
            for (path, _line, name), (_cc, _nc, _tt, cumulative, _c) in sorted(
                    stats.stats.items(), key=lambda item: -item[1][3]):
                label = WATCH.get(name)
                if label and label not in shown and (name in WATCH_ANYWHERE
                                                     or "site-packages" not in path):
                    shown.add(label)
                    print(f"    {cumulative / total:5.0%}  {label}")
        with app.app_context():
            db.engine.dispose()


WATCH = {
    "render_template": "render_template (Jinja + WTForms widgets)",
    "html_params": "  of which WTForms html_params (one call per input)",
    "build_form": "build_form (a form class per request)",
    "validate_on_submit": "form validation incl. CSRF",
    "kiosk_by_token": "kiosk_by_token (kiosk, then its office, lazily)",
    "version_for_post": "version_for_post",
    "current": "instruments.current",
    "store": "storage.store (objects for submission + answers)",
    "_flush": "session flush (INSERT submission + answers)",
    "commit": "commit",
    "by_key": "storage.by_key (the resend check)",
    "_execute_internal": "SQLAlchemy ORM statement execution (all queries)",
}
WATCH_ANYWHERE = {"render_template", "html_params", "validate_on_submit", "_flush", "commit",
                  "_execute_internal"}
