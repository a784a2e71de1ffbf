"""What the dashboard exports, it imports back: boundaries keep their hierarchy."""

from zones.cli import main
from zones.storage import store
from zones.storage.db import open_db


def test_units_export_then_import_rebuilds_the_hierarchy(demo_url, tmp_path, capsys):
    out = tmp_path / "communes.geojson"
    assert main(["--db", demo_url, "units", "export", "--level", "commune", "--format",
                 "geojson", "--out", str(out)]) == 0
    target = f"sqlite:///{tmp_path / 'new.db'}"
    assert main(["--db", target, "units", "import", str(out)]) in (0, 1)
    units = store.load_units(open_db(target))
    communes = units[units["level"] == "commune"]
    assert len(communes) == 143
    assert (units["level"] == "district").sum() == 15
    assert communes.loc["30745", "parent_code"] == "899"
    capsys.readouterr()
