"""Example plans of the Kiên Giang demo (issue 22), so the page *Kế hoạch* shows content
from the first ``make run``: dated around the outbreak of late August 2021 (entered on
20/08/2021), and labelled as examples in their note and decision."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Connection

from zones.storage import plans_sql

AUTHOR = "demo"
NOTE = ("Ví dụ minh họa trên số liệu mô phỏng (không phải kế hoạch thật): giữ vững vùng "
        "xanh, chuyển vùng vàng, cam về xanh, thu hẹp vùng đỏ.")
DECISION = "KH-BCĐ ví dụ"
MEASURES = ("Chốt kiểm soát ra vào địa bàn", "Tổ COVID cộng đồng hoạt động",
            "Xét nghiệm tầm soát toàn dân")
#: unit, kind, level, share, from, by, hold
EXAMPLES = (
    ("899", "share", 2, 0.5, date(2021, 8, 25), date(2021, 10, 15), None),
    ("902", "reach", 2, None, date(2021, 9, 1), date(2021, 10, 20), 7),
    ("912", "reach", 1, None, date(2021, 8, 25), date(2021, 9, 30), 7),
    ("910", "protect", 1, None, date(2021, 8, 20), date(2021, 9, 30), None),
    ("911", "protect", 1, None, date(2021, 8, 25), date(2021, 9, 30), None),
    ("900", "share", 1, 0.9, date(2021, 8, 25), date(2021, 10, 15), None),
)


def insert(conn: Connection, codes) -> int:
    """Store the examples whose unit is in ``codes``, inside the build's transaction;
    how many."""
    stamp, n = datetime(2021, 8, 20, 8, 0), 0
    for unit, kind, level, share, start, by, hold in EXAMPLES:
        if unit not in codes:
            continue
        plan_id = plans_sql.insert_plan(
            conn, unit_code=unit, kind=kind, level=level, share=share, date_from=start,
            date_by=by, hold=hold, decision=DECISION, note=NOTE, entered_by=AUTHOR,
            entered_at=stamp)
        for text in MEASURES:
            plans_sql.insert_measure(conn, plan_id=plan_id, text=text, added_by=AUTHOR,
                                     added_at=stamp)
        n += 1
    return n
