"""The kernel depends on nothing above it: `deltacrown.core` imports no domain package and not
`deltacrown.extensions` (which re-exports core's objects for the domains), at any depth."""

import ast
from pathlib import Path

import deltacrown

PACKAGE = Path(deltacrown.__file__).parent
CORE = PACKAGE / "core"
ALLOWED = ("deltacrown.core",)


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from deltacrown import accounts` names a domain too
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def function_level_imports(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines += [
                inner.lineno
                for inner in ast.walk(node)
                if isinstance(inner, ast.Import | ast.ImportFrom)
            ]
    return lines


def core_files():
    files = sorted(CORE.glob("*.py"))
    assert len(files) > 20  # the scan really reads the kernel
    return files


def test_core_imports_no_domain_and_not_extensions():
    offending = []
    for path in core_files():
        for line, module in imported_modules(ast.parse(path.read_text(), str(path))):
            above = module.startswith(".") or (
                (module == "deltacrown" or module.startswith("deltacrown."))
                and not module.startswith(ALLOWED)
            )
            if above:
                offending.append(f"{path.name}:{line} imports {module}")
    assert offending == []


def test_core_has_no_function_level_imports():
    """Imports sit at the top of each kernel module, where its dependencies are visible."""
    offending = [
        f"{path.name}:{line}"
        for path in core_files()
        for line in function_level_imports(ast.parse(path.read_text(), str(path)))
    ]
    assert offending == []


def test_the_scan_catches_a_domain_import_inside_a_function():
    source = "def f():\n    from deltacrown.accounts.models import User\n"
    tree = ast.parse(source)
    assert imported_modules(tree) == [
        (2, "deltacrown.accounts.models"),
        (2, "deltacrown.accounts.models.User"),
    ]
    assert function_level_imports(tree) == [2]
