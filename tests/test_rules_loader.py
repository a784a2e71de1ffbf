"""Loading and validating rule-set files: every problem reported at once, with hints."""

import copy
from pathlib import Path

import pytest
import yaml

import rules
from rules.registry import SHIPPED

BASE = yaml.safe_load((SHIPPED / "qd4800.yaml").read_text(encoding="utf-8"))


def problems_of(raw):
    with pytest.raises(rules.RuleSetError) as info:
        rules.parse_ruleset(raw, file="custom.yaml")
    return info.value.problems


def edited(fn):
    raw = copy.deepcopy(BASE)
    fn(raw)
    return raw


def commune(raw):
    return raw["tiers"]["commune"]


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_ruleset_loads(path):
    rs = rules.load_ruleset(path)
    assert rs.id == path.stem and rs.level_names("vi")[rules.NO_DATA] == "Chưa đủ dữ liệu"
    assert set(rs.level_names("en")) == {0, 1, 2, 3, 4}
    assert not rules.describe_ruleset(rs, "vi").empty


def test_shipped_metadata():
    reg = rules.load_rulesets()
    assert not reg.errors
    q48, q26 = reg.get("qd4800"), reg.get("qd2686")
    assert str(q48.effective_from) == "2021-10-12" and q48.effective_to is None
    assert (str(q26.effective_from), str(q26.effective_to)) == ("2021-05-31", "2021-10-11")
    assert "4800/QĐ-BYT" in q48.reference.vi and "128/NQ-CP" in q48.reference.vi
    assert "2686/QĐ-BCĐQG" in q26.reference.vi
    assert q48.level_names("vi")[1] == "Cấp 1 – Nguy cơ thấp (bình thường mới)"
    assert q26.level_names("vi")[4] == "Nguy cơ rất cao"
    assert q48.parameters["adult_cover_target"] == 0.70
    assert q48.parameter_info["stack_vaccination_raises"].configurable


def test_describe_flags_configurable_thresholds():
    table = rules.describe_ruleset(rules.load_rulesets().get("qd4800"), "vi")
    row = table[(table["tier"] == "xã") & (table["id"] == "T2-adult")].iloc[0]
    assert row["configurable"] and row["threshold"] == "< 70%"


@pytest.mark.parametrize(("change", "field", "hint"), [
    (lambda r: r["indicators"]["rate_7d"].update(num="cases_7"), "indicators.rate_7d.num",
     "cases_7d"),
    (lambda r: r["indicators"]["cases_7d"].update(metric="new_cases_comunity"),
     "indicators.cases_7d.metric", "new_cases_community"),
    (lambda r: r["indicators"]["cases_7d"].update(fn="window_summ"), "indicators.cases_7d.fn",
     "window_sum"),
    (lambda r: commune(r)["raises"]["rules"][0]["when"]["all"][0].update(op="lte"),
     "tiers.commune.raises.rules[0].when.all[0].op", "'le'"),
    (lambda r: commune(r)["raises"]["rules"][0]["when"]["all"][0].update(
        indicator="adult_covr"), "tiers.commune.raises.rules[0].when.all[0].indicator",
     "adult_cover"),
    (lambda r: commune(r)["raises"]["rules"][0]["when"]["all"][0].update(value="$adult_target"),
     "tiers.commune.raises.rules[0].when.all[0].value", "adult_cover_target"),
    (lambda r: r["tiers"].update(comune=r["tiers"].pop("commune")), "tiers.comune", "commune"),
    (lambda r: commune(r).update(cascade=[{"id": "c", "touches": "rde", "at_least": 3}]),
     "tiers.commune.cascade[0].touches", "red"),
    (lambda r: r.update(titel="x"), "titel", "title"),
])
def test_unknown_names_get_did_you_mean(change, field, hint):
    found = problems_of(edited(change))
    match = [p for p in found if p.field == field]
    assert match, [str(p) for p in found]
    assert hint in (match[0].suggestion or ""), str(match[0])
    assert match[0].file == "custom.yaml"


def test_bad_types_and_missing_fields():
    def change(raw):
        commune(raw)["raises"]["rules"][0]["when"]["all"][0]["value"] = "seventy"
        commune(raw)["holds"][0]["lag_days"] = -7
        del raw["indicators"]["cases_7d"]["days"]
        del raw["version"]
    fields = {p.field for p in problems_of(edited(change))}
    assert {"tiers.commune.raises.rules[0].when.all[0].value", "tiers.commune.holds[0].lag_days",
            "indicators.cases_7d.days", "version"} <= fields


def test_duplicate_rule_ids():
    def change(raw):
        commune(raw)["raises"]["rules"][1]["id"] = "T2-adult"
    found = problems_of(edited(change))
    dup = [p for p in found if "used once" in p.expected]
    assert dup and dup[0].rule_id == "T2-adult"


def test_all_problems_reported_together_with_rule_ids():
    def change(raw):
        raw["indicators"]["cases_7d"]["metric"] = "cases"
        commune(raw)["raises"]["rules"][0]["when"]["all"][0]["op"] = "greater"
        commune(raw)["holds"][0]["when"]["all"][0]["indicator"] = "treatment"
        raw["levels"][5] = {"vi": "Cấp 5"}
    found = problems_of(edited(change))
    assert len(found) >= 4
    assert any(p.rule_id == "T2-adult" for p in found)
    assert any(p.rule_id == "T3" for p in found)
    text = str(rules.RuleSetError(found))
    assert "custom.yaml" in text and "T3" in text and "expected" in text


def test_parameter_choice_is_checked():
    def change(raw):
        raw["parameters"]["missing_vaccination"]["value"] = "ignor"
    found = problems_of(edited(change))
    assert any("ignore" in (p.suggestion or "") for p in found)


def test_unreadable_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(rules.RuleSetError) as info:
        rules.load_ruleset(bad)
    assert info.value.problems[0].file == str(bad)


def test_registry_keeps_good_files_and_errors_of_bad(tmp_path: Path):
    good = copy.deepcopy(BASE)
    good["id"] = "qd4800-kiengiang"
    good["title"] = {"vi": "Cấp độ dịch tỉnh Kiên Giang", "en": "Kien Giang's levels"}
    good["parameters"]["adult_cover_target"]["value"] = 0.6
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(good, allow_unicode=True), "utf-8")
    bad = copy.deepcopy(good)
    bad["id"] = "broken"
    bad["indicators"]["rate_7d"]["fn"] = "per100k"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), "utf-8")
    dup = copy.deepcopy(BASE)
    (tmp_path / "dup.yml").write_text(yaml.safe_dump(dup, allow_unicode=True), "utf-8")
    reg = rules.load_rulesets(tmp_path, tmp_path / "missing-folder")
    assert set(reg.rulesets) == {"qd2686", "qd4800", "qd4800-kiengiang"}
    assert {Path(p).name for p in reg.errors} == {"bad.yaml", "dup.yml"}
    assert reg.get("qd4800-kiengiang").parameters["adult_cover_target"] == 0.6
    with pytest.raises(KeyError, match="qd4800"):
        reg.get("qd480")
