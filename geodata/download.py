"""Downloading public boundary files (where internet exists), with source, licence and
checksum recorded so the application can credit them.

Sources (``SOURCES``): ``gadm`` (GADM 4.1, levels 1-3, non-commercial licence),
``geoboundaries`` (geoBoundaries gbOpen ADM1-2, CC BY 4.0) and ``vn2025`` (2025 commune
polygons). Every base URL can be replaced (``--url``), e.g. by an intranet mirror or, in
the tests, a local ``http.server``.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from geodata.fields import GeodataError

TIMEOUT_S = 60
CHUNK = 1 << 16


@dataclass(frozen=True)
class Source:
    """One downloadable boundary source."""

    key: str
    title: str
    base_url: str
    pattern: str  # file path under base_url; {country} {level}
    levels: tuple[int, ...]
    default_level: int
    licence: str
    structure: str  # "2021" or "2025"
    non_commercial: bool = False


SOURCES: dict[str, Source] = {
    "gadm": Source(
        "gadm", "GADM 4.1", "https://geodata.ucdavis.edu/gadm/gadm4.1/json",
        "gadm41_{country}_{level}.json.zip", (1, 2, 3), 3,
        "GADM licence: free for academic and other non-commercial use; redistribution and "
        "commercial use not allowed without permission (https://gadm.org/license.html)",
        "2021", non_commercial=True),
    "geoboundaries": Source(
        "geoboundaries", "geoBoundaries gbOpen",
        "https://github.com/wmgeolab/geoBoundaries/raw/main/releaseData/gbOpen",
        "{country}/ADM{level}/geoBoundaries-{country}-ADM{level}.geojson", (1, 2), 2,
        "CC BY 4.0 (geoBoundaries gbOpen, https://www.geoboundaries.org)", "2021"),
    "vn2025": Source(
        "vn2025", "Vietnamese wards 2025 (sapnhap.bando.com.vn via "
        "thanglequoc/vietnamese-provinces-database)",
        "https://github.com/thanglequoc/vietnamese-provinces-database/releases/latest/download",
        "vn_wards_2025.geojson", (3,), 3,
        "MIT (thanglequoc/vietnamese-provinces-database); geometry from the government "
        "reference map sapnhap.bando.com.vn", "2025"),
}
LEVEL_NAMES = {1: "province", 2: "district", 3: "commune"}


def source(key: str) -> Source:
    """The source named ``key``; GeodataError listing the sources otherwise."""
    if key not in SOURCES:
        raise GeodataError("download_source", source=key, sources=", ".join(SOURCES))
    return SOURCES[key]


def source_url(src: Source, level: int | None = None, country: str = "VNM",
               base: str | None = None) -> str:
    """The URL of ``src`` at ``level``. ``base`` replaces the base URL; a ``base`` that
    already names a file (ends in .json/.geojson/.zip/...) is used as it is."""
    level = src.default_level if level is None else level
    if level not in src.levels:
        raise GeodataError("download_level", source=src.key, level=level,
                           levels=", ".join(map(str, src.levels)))
    if base and base.lower().rsplit("?", 1)[0].endswith(
            (".json", ".geojson", ".zip", ".gpkg", ".parquet")):
        return base
    name = src.pattern.format(country=country.upper(), level=level)
    return f"{(base or src.base_url).rstrip('/')}/{name}"


def file_name(url: str) -> str:
    """The file name at the end of a URL."""
    return Path(urllib.parse.urlparse(url).path).name or "download.geojson"


def fetch(url: str, dest: Path, max_bytes: int, timeout: float = TIMEOUT_S
          ) -> tuple[Path, str, int]:
    """Download ``url`` to ``dest``: (path, sha256 hex, size). Only http(s); refuses
    answers over ``max_bytes``; a failed download leaves no partial file."""
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        raise GeodataError("download_address", url=url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    digest, size = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, part.open("wb") as out:
            while chunk := resp.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise GeodataError("too_large", path=file_name(url),
                                       size_mb=round(size / 2**20, 1),
                                       limit_mb=round(max_bytes / 2**20, 1))
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as err:
        part.unlink(missing_ok=True)
        reason = getattr(err, "reason", None) or err
        raise GeodataError("download_failed", url=url, reason=str(reason)) from err
    except GeodataError:
        part.unlink(missing_ok=True)
        raise
    part.replace(dest)
    return dest, digest.hexdigest(), size
