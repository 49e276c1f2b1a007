"""The report's staff-survey part: the round's staff numbers and the answers' counts from the
database, the statistics and the rules from ``analysis.report.staff``, and how last round's
internal cases stand (the report's 改善情形).

While a round is open its web answers are sealed (``webapp.capture.staff.models``): the report
then says so and shows only how many answered, never results that would move answer by answer.
"""

from __future__ import annotations

from analysis import report as analysis_report
from analysis.periods import Period
from analysis.report.staff import DEFAULT_STAFF_MIN_N
from forms.instrument import pick
from webapp.capture.staff import services as staff
from webapp.cycle.cases import services as cases
from webapp.programme import instruments

__all__ = ["DEFAULT_STAFF_MIN_N", "staff_section"]


def staff_section(current: Period, infos: list, ids: list[int], locale: str,
                  min_n: int = DEFAULT_STAFF_MIN_N) -> dict | None:
    """The staff survey of half-year ``current`` for the offices ``ids``; None when it has no
    round and no answers."""
    _version, instrument = instruments.current(staff.STAFF_KEY)
    title = pick(instrument.definition["title"], locale)
    staff_round = staff.round_of(current)
    taking = {o.office_id: o.staff for o in staff_round.offices} if staff_round else {}
    items = instrument.likert_keys()
    labels = {k: pick(instrument.question(k).get("short", instrument.question(k)["label"]),
                      locale) for k in items}
    counts = staff.level_counts(current, items, ids)
    section = {"title": title, "round": None, "min_n": min_n}
    if staff_round is not None:
        section["round"] = {"open": staff_round.is_open,
                            "offices": sum(1 for i in ids if i in taking)}
        if staff_round.is_open:
            standing = {s.office.id: s for s in staff.standing(staff_round)}
            section["offices"] = [
                {"code": o.code, "name": o.name, "name_en": o.name_en,
                 "staff": standing[i].staff, "n": standing[i].answered,
                 "response_rate": standing[i].rate}
                for o, i in zip(infos, ids, strict=True) if i in standing]
            section["sentences"] = [
                f"Staff survey: the round for {current.label(locale)} is still open; results are "
                "shown once it closes." if locale.startswith("en") else
                f"內部同仁滿意度調查：{current.roc_label()}的調查仍在進行，結束後才列出結果。"]
            return section
    if not counts[items[0]].any() and staff_round is None:
        return None
    before = current.previous()
    then = staff.level_counts(before, items, ids)
    previous = then if then[items[0]].any() else None
    comments = staff.comment_counts(current, ids)
    try:
        found = analysis_report.staff_report(
            infos, counts, labels, staff=[taking.get(i, 0) for i in ids],
            comments=[comments.get(i, 0) for i in ids], previous=previous, min_n=min_n)
    except ValueError:
        section["empty"] = True
        section["sentences"] = []
        return section
    section |= found
    section["compare_label"] = before.label(locale) if previous else None
    standing = cases.followups(str(before), ids, internal=True)
    section["followups"] = [{"code": o.code, "name": o.name, "name_en": o.name_en, **standing[i]}
                            for o, i in zip(infos, ids, strict=True)
                            if standing.get(i, {}).get("opened")]
    section["sentences"] = analysis_report.staff_summary(section, locale)
    return section

