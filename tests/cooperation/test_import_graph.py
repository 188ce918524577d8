"""The product never imports the synthetic data app: it is installed only where generate_data is wanted."""

import ast
from pathlib import Path

import cooperation

APP = Path(cooperation.__file__).parent
KEPT_OUT = "synthetic"


def imported_modules(path: Path) -> set[str]:
    """The absolute module names a file imports, at any depth (a function's own imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_module_of_the_app_imports_the_synthetic_data_app():
    modules = sorted(APP.rglob("*.py"))
    assert len(modules) > 50  # the walk found the app
    found = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in modules
        for name in sorted(imported_modules(path))
        if name == KEPT_OUT or name.startswith(f"{KEPT_OUT}.")
    ]
    assert found == []


def test_the_check_sees_an_import_of_it(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def later():\n    from synthetic.marks import is_synthetic\n")
    assert "synthetic.marks" in imported_modules(module)
