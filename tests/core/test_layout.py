"""The layout rules, checked on the source: infrastructure imports no domain app; views stay thin."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = {"catalogue", "candidates", "evaluation", "cpne", "funding", "demo"}
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


def declared_permissions(rules_module: Path) -> list[str]:
    return [
        node.args[0].value
        for node in ast.walk(ast.parse(rules_module.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "add_perm"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def test_each_app_declares_only_its_own_permissions():
    from django.apps import apps

    misplaced = []
    for config in apps.get_app_configs():
        rules_module = Path(config.path) / "rules.py"
        if not rules_module.is_relative_to(ROOT) or not rules_module.is_file():
            continue
        misplaced += [
            f"{rules_module.relative_to(ROOT)} declares {name}"
            for name in declared_permissions(rules_module)
            if name.split(".")[0] != config.label
        ]
    assert misplaced == []


def test_the_spaces_permissions_are_their_apps():
    import rules

    for name in ("evaluation.view_evaluator_dashboard", "evaluation.view_cpne_dashboard", "funding.view_dashboard"):
        assert rules.perm_exists(name), name
    for name in ("accounts.view_evaluator_dashboard", "accounts.view_cpne_dashboard", "accounts.view_audit_trail"):
        assert not rules.perm_exists(name), name


PROJECT_PACKAGES = {"cqpt_portal", *DOMAIN_APPS}


def app_of(module: str) -> str:
    """`cqpt_portal.accounts.views` -> `cqpt_portal.accounts`; `candidates.views.admissibility` -> `candidates`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "cqpt_portal" else parts[0]


def is_views_module(module: str) -> bool:
    return module.split(".")[0] in PROJECT_PACKAGES and "views" in module.split(".")


def views_violations() -> list[str]:
    violations = []
    for folder in sorted(PROJECT_PACKAGES):
        for path in python_files(folder):
            own = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            if not is_views_module(own):
                continue
            relative = path.relative_to(ROOT).as_posix()
            lines_seen = set()
            for line, module in imported_modules(path):
                if module.split(".")[0] not in PROJECT_PACKAGES or line in lines_seen:
                    continue
                if is_views_module(module) and not own.startswith(f"{module}.") and module != own:
                    violations.append(f"{relative}:{line} imports the views module {module}")
                elif module.split(".")[-1] == "models" and app_of(module) != app_of(own):
                    violations.append(f"{relative}:{line} imports another app's models: {module}")
                else:
                    continue
                lines_seen.add(line)
    return violations


def test_views_import_no_other_views_module_and_no_other_apps_models():
    assert views_violations() == []


def test_the_views_check_sees_a_views_import_and_another_apps_models(tmp_path, monkeypatch):
    views = tmp_path / "candidates" / "views"
    views.mkdir(parents=True)
    (views / "__init__.py").write_text("")
    (views / "documents.py").write_text(
        "from django.views.decorators.http import require_POST\n"
        "from ..models import Dossier\n"
        "from .candidate import step_context\n"
        "from cqpt_portal.notifications.models import Notification\n"
        "from catalogue import models\n"
    )
    (tmp_path / "funding").mkdir()
    (tmp_path / "funding" / "views.py").write_text("from candidates.views import documents\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert views_violations() == [
        "candidates/views/documents.py:3 imports the views module candidates.views.candidate",
        "candidates/views/documents.py:4 imports another app's models: cqpt_portal.notifications.models",
        "candidates/views/documents.py:5 imports another app's models: catalogue.models",
        "funding/views.py:1 imports the views module candidates.views",
    ]
