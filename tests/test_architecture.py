"""The exports (`filings/exports/`: PDF, batches, Excel, the printed form) stand on the models alone: they import
neither the wizard, its steps, the template tags nor the views, so a change on the wizard side cannot break them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "filings" / "exports"
FORBIDDEN = ("filings.wizard", "filings.steps", "filings.templatetags", "filings.views")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, anywhere in it (also inside functions), relative imports made absolute."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            # `from .. import steps` imports the module filings.steps
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


MODULES = sorted(EXPORTS.rglob("*.py"))


def test_the_check_sees_the_package_and_resolves_its_relative_imports():
    assert {module_name(p) for p in MODULES} >= {"filings.exports.pdf", "filings.exports.printed",
                                                 "filings.exports.excel.template_import"}
    assert "filings.models" in imported_modules(EXPORTS / "pdf.py")  # `from ..models import …`
    assert "filings.exports.pdf" in imported_modules(EXPORTS / "excel" / "official.py")  # `from ..pdf import …`
    assert forbidden("filings.steps.shared") and forbidden("filings.wizard") and not forbidden("filings.wizardry")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_export_module_imports_the_wizard_its_steps_template_tags_or_views(path):
    assert sorted(m for m in imported_modules(path) if forbidden(m)) == []
