"""The layout rules, checked on the source: infrastructure imports no domain app; views stay thin."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = {"catalogue", "candidates", "evaluation", "funding", "demo"}
# The project's settings and root urls list the domain apps by design.
INFRASTRUCTURE_EXEMPT = {"cqpt_portal/settings.py", "cqpt_portal/urls.py"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, relative imports resolved against its package, with the line."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    if path.name == "__init__.py":
        package = path.relative_to(ROOT).parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from candidates import views` imports a module too.
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def python_files(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def infrastructure_violations() -> list[str]:
    violations = []
    for path in python_files("cqpt_portal"):
        relative = path.relative_to(ROOT).as_posix()
        if relative in INFRASTRUCTURE_EXEMPT:
            continue
        lines_seen = set()
        for line, module in imported_modules(path):
            if module.split(".")[0] in DOMAIN_APPS and line not in lines_seen:
                lines_seen.add(line)
                violations.append(f"{relative}:{line} imports {module}")
    return violations


def test_infrastructure_imports_no_domain_app():
    assert infrastructure_violations() == []


def test_the_infrastructure_check_sees_an_import_of_a_domain_app(tmp_path, monkeypatch):
    package = tmp_path / "cqpt_portal" / "accounts"
    package.mkdir(parents=True)
    (package / "services.py").write_text("from catalogue.models import Company\nfrom ..audit import services\n")
    (tmp_path / "cqpt_portal" / "settings.py").write_text("import funding\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert infrastructure_violations() == ["cqpt_portal/accounts/services.py:1 imports catalogue.models"]


@pytest.mark.parametrize("app", sorted(DOMAIN_APPS))
def test_every_domain_app_is_a_top_level_package(app):
    assert (ROOT / app / "apps.py").is_file()
