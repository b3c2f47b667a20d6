"""表样 as files: export_variant writes the fixture format, load_variant reads it back, refusing broken files and
changes that would lose what filings hold."""

import io
import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from filings.models import Filing, FormVariant
from filings.reference import FIXTURES


def export(code) -> str:
    out = io.StringIO()
    call_command("export_variant", code, stdout=out)
    return out.getvalue()


def load(path, *args) -> str:
    out = io.StringIO()
    call_command("load_variant", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path, document, name="variant.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, ensure_ascii=False),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted((FIXTURES / "variants").glob("*.json")), ids=lambda path: path.stem)
def test_an_exported_seed_variant_is_its_fixture_file(path, demo):
    exported, fixture = export(path.stem), path.read_text(encoding="utf-8")
    assert json.loads(exported) == json.loads(fixture)
    # The layout's keys in the fixture's order also where the database keeps none (PostgreSQL's jsonb); only the old
    # `labels` switch, a plain mapping, may come back in another order.
    layout = json.dumps(json.loads(exported)["variant"]["layout"], ensure_ascii=False, indent=1)
    assert layout == json.dumps(json.loads(fixture)["variant"]["layout"], ensure_ascii=False, indent=1)
    if connection.vendor == "sqlite":
        assert exported == fixture


def test_a_variant_exported_to_a_file_loads_as_a_new_variant_equal_to_it(demo, tmp_path):
    document = json.loads(export("proj-yangquan"))
    document["variant"].update(code="proj-yangquan-2027", name="项目支出绩效目标表（阳泉2027）", notes="2027 年起使用")
    path = write(tmp_path, document)

    assert "将新建表样 proj-yangquan-2027" in load(path, "--dry-run")
    assert not FormVariant.objects.filter(code="proj-yangquan-2027").exists()

    assert "已新建表样 proj-yangquan-2027（项目支出绩效目标表（阳泉2027））" in load(path)
    loaded = FormVariant.objects.get(code="proj-yangquan-2027")
    assert json.loads(export("proj-yangquan-2027")) == document
    assert loaded.indicator_periods() == ["implementation", "annual"] and loaded.shows("overview")
    assert "没有变化" in load(path)


def test_loading_a_relabelled_file_updates_the_used_variant_and_a_dry_run_shows_the_change(demo, tmp_path):
    document = json.loads(export("proj-hunan"))
    first = document["variant"]["layout"]["blocks"][0]["rows"][0][0]
    old_label, first["label"] = first["label"], "项目支出名称（新）"
    document["variant"]["region"] = "湖南省"
    path = write(tmp_path, document)

    shown = load(path, "--dry-run")
    assert "将修改表样 proj-hunan" in shown and "适用地区：“湖南”→“湖南省”" in shown.replace(" ", "")
    lines = [line.strip() for line in shown.splitlines()]
    assert any(line.startswith("-") and f'"label": "{old_label}",' in line for line in lines)
    assert any(line.startswith("+") and '"label": "项目支出名称（新）",' in line for line in lines)
    assert FormVariant.objects.get(code="proj-hunan").label("name") == old_label

    assert "已更新表样 proj-hunan" in load(path)
    variant = FormVariant.objects.get(code="proj-hunan")
    assert variant.label("name") == "项目支出名称（新）" and variant.region == "湖南省"
    assert Filing.objects.filter(variant=variant).count() == 2


def test_a_file_dropping_what_filings_hold_is_refused_and_changes_nothing(demo, tmp_path):
    document = json.loads(export("proj-hunan"))
    indicators = next(b for b in document["variant"]["layout"]["blocks"] if b["type"] == "indicators")
    indicators["columns"] = [c for c in indicators["columns"] if c["field"] != "standard"]
    document["variant"]["name"] = "改名"
    with pytest.raises(CommandError) as refused:
        load(write(tmp_path, document))
    assert "已有 2 份申报表在“绩效标准”中填写了内容，不能删除该栏目；可以复制为新表样后修改。" in str(refused.value)
    assert FormVariant.objects.get(code="proj-hunan").name == "项目支出绩效目标表（湖南）"


@pytest.mark.parametrize(("content", "message"), [
    ('{"format": "perfbudget-variant", "version": 1, "variant": {"code": "x",}}',
     "文件不是有效的 JSON：第 1 行第 71 列，(最后一项后面多了逗号|键名应写在英文双引号中)"),
    ('{"format": "something-else"}', "这不是表样文件"),
    ('{"format": "perfbudget-variant", "version": 2, "variant": {}}', "不支持的表样文件版本“2”"),
    ('{"format": "perfbudget-variant", "version": 1, "variant": {"code": "x", "colour": 1}}',
     "表样中有不认识的字段：colour。"),
])
def test_a_broken_file_is_refused_in_chinese(demo, tmp_path, content, message):
    with pytest.raises(CommandError, match=message):
        load(write(tmp_path, content))


def test_a_file_with_an_invalid_layout_and_unknown_scheme_names_every_problem(demo, tmp_path):
    document = json.loads(export("dept-hunan"))
    document["variant"].update(code="dept-broken", default_scheme="no-such-scheme", kind="department",
                               default_money_unit="cents")
    document["variant"]["layout"]["blocks"][0]["rows"][0][0]["fields"] = ["unit_nmae"]
    with pytest.raises(CommandError) as refused:
        load(write(tmp_path, document))
    text = str(refused.value)
    assert "没有代码为“no-such-scheme”的指标体系" in text
    assert "未知的字段“unit_nmae”" in text
    assert "默认金额单位（default_money_unit）" in text
    assert not FormVariant.objects.filter(code="dept-broken").exists()


def test_the_commands_exit_non_zero_with_a_chinese_message(demo, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(connections, "close_all", lambda: None)  # run_from_argv closes them: the test's transaction
    for argv in (["load_variant", str(tmp_path / "missing.json")], ["export_variant", "no-such-variant"]):
        with pytest.raises(SystemExit) as exited:
            ManagementUtility(["manage.py", *argv]).execute()
        assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "找不到文件" in err and "没有代码为“no-such-variant”的表样" in err


def test_a_used_variant_cannot_change_its_kind_from_a_file(demo, tmp_path):
    document = json.loads(export("dept-mof88"))
    document["variant"]["kind"] = "project"
    with pytest.raises(CommandError, match="已有申报表使用，不能把表类型从“部门整体支出”改为“项目支出”"):
        load(write(tmp_path, document))
    assert FormVariant.objects.get(code="dept-mof88").kind == "department"
