"""Every service that locks rows (``select_for_update``) does it inside a transaction.

PostgreSQL refuses ``SELECT ... FOR UPDATE`` in autocommit (Django raises
TransactionManagementError) while SQLite ignores it, and the test suite runs every test
inside a transaction: a service that forgets ``@transaction.atomic`` passes every test and
fails in production on PostgreSQL (it happened to ``members.services.member_update``). So this
reads the code: a public function that locks rows, directly or through a private helper of
its module, must be atomic, by decorator or by a ``with transaction.atomic()`` around the lock.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gonghui

SRC = Path(gonghui.__file__).parent


def _is_atomic(node: ast.expr) -> bool:
    return "atomic" in ast.unparse(node)


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _unguarded_calls(fn: ast.FunctionDef) -> set[str]:
    """Names called in ``fn`` outside any ``with ...atomic...`` block (all of them, when
    ``fn`` is decorated atomic: then nothing is unguarded)."""
    if any(_is_atomic(d) for d in fn.decorator_list):
        return set()
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.With) and any(_is_atomic(i.context_expr) for i in node.items):
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return  # a nested function runs when its caller says
        if isinstance(node, ast.Call) and (name := _called_name(node)):
            names.add(name)
        if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
            names.add("select_for_update")
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in fn.body:
        visit(statement)
    return names


def _lockers(tree: ast.Module) -> set[str]:
    """The module's functions that take a row lock outside a transaction of their own,
    directly or through one another (an atomic function is a safe call: it opens one)."""
    unguarded = {n.name: _unguarded_calls(n) for n in tree.body if isinstance(n, ast.FunctionDef)}
    lockers = {"select_for_update"}
    grew = True
    while grew:
        grew = False
        for name, called in unguarded.items():
            if name not in lockers and called & lockers:
                lockers.add(name)
                grew = True
    return lockers


def _unlocked_services() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if {"tests", "migrations", "testing"} & set(path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lockers = _lockers(tree)
        for fn in tree.body:
            public = isinstance(fn, ast.FunctionDef) and not fn.name.startswith("_")
            if public and fn.name in lockers:
                found.append(f"{path.relative_to(SRC)}:{fn.lineno} {fn.name}")
    return found


def test_every_public_function_that_locks_rows_is_atomic():
    assert _unlocked_services() == []


def test_the_check_finds_a_service_that_locks_outside_a_transaction(tmp_path, monkeypatch):
    # given: a module with one unguarded service, one guarded by a with-block, one by the
    # decorator, and one that locks through a private helper
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "services.py").write_text(
        "from django.db import transaction\n"
        "def _lock(pk):\n"
        "    return M.objects.select_for_update().get(pk=pk)\n"
        "def bad(pk):\n"
        "    return M.objects.select_for_update().get(pk=pk)\n"
        "def bad_through_helper(pk):\n"
        "    return _lock(pk)\n"
        "def good_with(pk):\n"
        "    with transaction.atomic():\n"
        "        return _lock(pk)\n"
        "@transaction.atomic\n"
        "def good_decorated(pk):\n"
        "    return _lock(pk)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", package)
    # when / then
    assert _unlocked_services() == ["services.py:4 bad", "services.py:6 bad_through_helper"]
