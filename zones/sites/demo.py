"""The simulated sites of the Kiên Giang demo (labelled simulated everywhere they show):
facilities of Rạch Giá with their self-assessed safety score, quarantine sites (one of
them full), and the lockdown of the late-August 2021 outbreak in phường Vĩnh Lạc ("hẻm
342 Ngô Quyền", seed notice 002) and a lockdown point in thị trấn Kiên Lương. Fixed seed:
the same sites at every build, each point inside its commune's (approximate) shape."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import shapely

from geodata.approx import random_points_in

SEED = 2025
RACH_GIA = "899"
VINH_LAC = "30745"
KIEN_LUONG = "30787"
SECTORS = ("chế biến thủy sản", "may mặc", "siêu thị", "chợ", "nhà hàng", "khách sạn",
           "xây dựng", "cảng cá", "vận tải", "trường học")
NAMES = ("Công ty TNHH", "Cơ sở", "Doanh nghiệp tư nhân", "Hợp tác xã", "Cửa hàng")
FACILITIES_PER_COMMUNE = 8
SIMULATED = " (mô phỏng)"


def _row(site_id, kind, name, code, point, start, end=None, **extra) -> dict:
    return {"site_id": site_id, "kind": kind, "name": name + SIMULATED, "unit_code": code,
            "lat": round(point.y, 6), "lon": round(point.x, 6), "geometry": None,
            "valid_from": start, "valid_to": end, "sector": None, "score": None,
            "capacity": None, "occupied": None, "sent_by": "demo", "source": "demo",
            "source_row": None, **extra}


def demo_sites(units: pd.DataFrame, stamp: datetime) -> list[dict]:
    """The demo's sites as rows of the ``sites`` table (none outside Kiên Giang)."""
    by_code = units.set_index("code", drop=False)
    if VINH_LAC not in by_code.index:
        return []
    rng = np.random.default_rng(SEED)
    rows: list[dict] = []
    communes = by_code[(by_code["parent_code"] == RACH_GIA) & (by_code["level"] == "commune")]
    n = 0
    for code, shape in zip(communes["code"], communes.geometry, strict=True):
        for point in random_points_in(shape, FACILITIES_PER_COMMUNE, rng):
            n += 1
            score = float(np.clip(rng.normal(72, 18), 5, 100)).__round__(0)
            rows.append(_row(f"CS-{n:04d}", "facility",
                             f"{NAMES[n % len(NAMES)]} {SECTORS[n % len(SECTORS)]} số {n}",
                             code, point, date(2021, 6, 1), None,
                             sector=SECTORS[n % len(SECTORS)], score=score))
    quarantine = [("CL-0001", "Khu cách ly tập trung Trường Cao đẳng Kiên Giang", "30754",
                   500, 500, date(2021, 8, 20), None),
                  ("CL-0002", "Khu cách ly Ký túc xá Rạch Giá", "30742", 300, 212,
                   date(2021, 8, 22), None),
                  ("CL-0003", "Khu cách ly tập trung Kiên Lương", KIEN_LUONG, 200, 120,
                   date(2021, 8, 25), date(2021, 10, 15))]
    for site_id, name, code, capacity, occupied, start, end in quarantine:
        if code in by_code.index:
            point = random_points_in(by_code.geometry[code], 1, rng)[0]
            rows.append(_row(site_id, "quarantine", name, code, point, start, end,
                             capacity=capacity, occupied=occupied))
    # the lockdown of hẻm 342 Ngô Quyền: a small area around a point of Vĩnh Lạc
    shape = by_code.geometry[VINH_LAC]
    centre = random_points_in(shape.buffer(-0.002) if not shape.buffer(-0.002).is_empty
                              else shape, 1, rng)[0]
    area = shapely.intersection(centre.buffer(0.0015, quad_segs=4), shape)
    lockdown = _row("PT-0001", "lockdown", "Phong tỏa hẻm 342 Ngô Quyền, phường Vĩnh Lạc",
                    VINH_LAC, area.representative_point(), date(2021, 8, 24),
                    date(2021, 9, 14))
    lockdown["geometry"] = shapely.to_wkb(area)
    rows.append(lockdown)
    if KIEN_LUONG in by_code.index:
        point = random_points_in(by_code.geometry[KIEN_LUONG], 1, rng)[0]
        rows.append(_row("PT-0002", "lockdown", "Phong tỏa khu phố chợ Kiên Lương",
                         KIEN_LUONG, point, date(2021, 8, 27), date(2021, 9, 10)))
    for r in rows:
        r["recorded_at"] = stamp
    return rows
