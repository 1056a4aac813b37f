"""Static scan of a submission for code that tries to game the grader.

    python -m autograder scan submitted/alice/01-entropy/01-entropy.ipynb

A scan never changes a grade: it flags the submission for the instructor, with the cell,
line and reason of each finding. It reads only what the student wrote: code cells whose
source differs from every cell of the released notebook (our own explanation cells are
trusted), minus the locked and test cells that nbgrader restores before grading. In those it
looks, in the syntax tree, for:

- imports of the answers or the grader (``solutions``, ``autograder``, ``nbgrader``);
- patching of shared objects: assigning to an attribute of an imported module (``np.allclose
  = ...``, ``math.log = ...``), to ``builtins`` / ``__builtins__``, or to ``sys.modules``;
- grader detection: reading ``NBGRADER_EXECUTION`` or other environment variables;
- leaving the process or the notebook: ``os._exit``, ``sys.exit``, ``subprocess``, ``ctypes``,
  ``os.system``, ``signal`` handlers;
- dynamic code: ``exec``, ``eval``, ``compile``, ``__import__``, ``importlib``;
- any of the above reached under another name: ``import os as x; x.system``, ``from os
  import system as s``, ``y = x``, ``__import__("os")``, ``importlib.import_module("os")``,
  ``getattr(os, "system")``, ``getattr(__builtins__, "exec")``, ``__builtins__["exec"]``,
  ``posix.system`` (names are followed through imports and simple assignments, also from
  one cell to the next);
- file access: ``open``, ``Path(...).read_text`` and friends, ``os.listdir``/``os.walk``,
  ``glob``, ``shutil``;
- introspection that reaches into other frames or the garbage collector (``inspect``,
  ``gc``, ``sys._getframe``).

Cells that do not parse (IPython magics, syntax errors) are scanned as text for the same
names, so a ``%run`` or ``!cat`` line is flagged too.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

FORBIDDEN_MODULES = {
    "solutions": "imports the reference solutions",
    "autograder": "imports the grader",
    "nbgrader": "imports nbgrader",
    "subprocess": "runs other programs",
    "ctypes": "reaches below Python",
    "importlib": "imports modules dynamically",
    "inspect": "inspects frames or source code",
    "gc": "reaches into the garbage collector",
    "builtins": "touches Python's builtins",
    "signal": "installs signal handlers",
    "shutil": "copies or deletes files",
    "glob": "lists files",
    "socket": "opens network connections",
    "urllib": "opens network connections",
    "requests": "opens network connections",
}
FORBIDDEN_CALLS = {
    "exec": "runs code from a string",
    "eval": "runs code from a string",
    "compile": "compiles code from a string",
    "__import__": "imports modules dynamically",
    "open": "opens a file",
    "globals": "rewrites the notebook's namespace",
    "setattr": "sets attributes dynamically",
    "delattr": "deletes attributes dynamically",
}
FORBIDDEN_ATTRIBUTES = {  # (module or object name, attribute)
    ("os", "_exit"): "kills the kernel",
    ("os", "system"): "runs a shell command",
    ("os", "popen"): "runs a shell command",
    ("os", "kill"): "sends signals to processes",
    ("os", "environ"): "reads or changes environment variables (grader detection)",
    ("os", "getenv"): "reads environment variables (grader detection)",
    ("os", "listdir"): "lists files",
    ("os", "walk"): "lists files",
    ("os", "remove"): "deletes files",
    ("os", "chdir"): "changes the working directory",
    ("sys", "exit"): "stops the kernel's execution",
    ("sys", "modules"): "rewrites imported modules",
    ("sys", "_getframe"): "inspects other frames",
    ("sys", "settrace"): "traces other code",
    ("sys", "setprofile"): "traces other code",
    ("sys", "path"): "changes where modules are imported from",
}
FILE_METHODS = {
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "unlink",
    "iterdir",
    "rglob",
}
TEXT_PATTERNS = [
    (re.compile(r"NBGRADER_EXECUTION"), "mentions NBGRADER_EXECUTION (grader detection)"),
    (re.compile(r"^\s*[!%]", re.M), "runs an IPython magic or shell command"),
    (
        re.compile(r"\b(solutions|autograder)\b\s*(\.|import)"),
        "refers to the answers or the grader",
    ),
    (re.compile(r"gradebook"), "refers to the gradebook"),
]


@dataclass(frozen=True)
class Finding:
    cell: int  # index of the cell in the notebook
    line: int  # 1-based line within the cell
    reason: str
    code: str  # the offending line, stripped

    def __str__(self) -> str:
        return f"cell {self.cell}, line {self.line}: {self.reason}: {self.code}"


# Names under which code reaches the modules above without naming them.
MODULE_ALIASES = {"__builtins__": "builtins", "posix": "os", "nt": "os", "_io": "io"}
# The modules whose attributes the scan follows through aliases (``x = os; x.system``).
TRACKED_ROOTS = {*FORBIDDEN_MODULES, *(m for m, _ in FORBIDDEN_ATTRIBUTES), *MODULE_ALIASES}
# Calls that return a module named by their first argument.
IMPORTERS = {"builtins.__import__", "importlib.import_module", "importlib.__import__"}


def _canonical(name: str) -> str:
    head, dot, rest = name.partition(".")
    return MODULE_ALIASES.get(head, head) + dot + rest


def _constant_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Visitor(ast.NodeVisitor):
    """Walks one cell. ``aliases`` (shared by the cells of a notebook) maps a local name to
    the dotted name it stands for: ``import os as x`` gives ``x -> os``, ``from os import
    system as s`` gives ``s -> os.system``, and simple assignments carry them on (``y = x``,
    ``f = getattr(x, "system")``, ``m = __import__("os")``, ``e = __builtins__["exec"]``)."""

    def __init__(self, lines: list[str], aliases: dict[str, str] | None = None):
        self.lines = lines
        self.found: list[tuple[int, str]] = []
        self.module_names: set[str] = set()  # names bound to imported modules
        self.aliases = {} if aliases is None else aliases

    def flag(self, node: ast.AST, reason: str) -> None:
        self.found.append((getattr(node, "lineno", 1), reason))

    # -- what a name or an expression stands for ------------------------------------------

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name (``os.system``, ``builtins.exec``) ``node`` stands for, when it is
        rooted in a module the scan follows; else ``None``."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            return _canonical(node.id) if node.id in TRACKED_ROOTS else None
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is None:
                return None
            return base if node.attr == "__dict__" else f"{base}.{node.attr}"
        if isinstance(node, ast.Subscript):  # __builtins__["exec"], vars(os)["system"]
            base = self.resolve(node.value)
            key = _constant_str(node.slice)
            return f"{base}.{key}" if base is not None and key is not None else None
        if isinstance(node, ast.Call):
            func = self.resolve(node.func) or (
                f"builtins.{node.func.id}" if isinstance(node.func, ast.Name) else None
            )
            first = node.args[0] if node.args else None
            if func in IMPORTERS and _constant_str(first):
                return _canonical(_constant_str(first))
            if func in {"builtins.getattr", "builtins.vars"} and first is not None:
                base = self.resolve(first)
                attr = _constant_str(node.args[1]) if len(node.args) > 1 else None
                if func == "builtins.vars":
                    return base
                return f"{base}.{attr}" if base is not None and attr is not None else None
        return None

    def check_name(self, node: ast.AST, name: str) -> None:
        """Flag ``name`` (a resolved dotted name) when it is forbidden."""
        head, _, attr = name.rpartition(".")
        top = name.split(".")[0]
        if (head, attr) in FORBIDDEN_ATTRIBUTES:
            self.flag(node, FORBIDDEN_ATTRIBUTES[(head, attr)])
        elif head == "builtins" and attr in FORBIDDEN_CALLS:
            self.flag(node, FORBIDDEN_CALLS[attr])
        elif top in FORBIDDEN_MODULES and top != "builtins":
            self.flag(node, FORBIDDEN_MODULES[top])

    def bind(self, target: ast.AST, value: ast.AST | None) -> None:
        """Carry an alias through ``target = value`` (a plain name only)."""
        if not isinstance(target, ast.Name):
            return
        name = self.resolve(value) if value is not None else None
        if name is not None:
            self.aliases[target.id] = name
            self.module_names.add(target.id)
        else:
            self.aliases.pop(target.id, None)
            self.module_names.discard(target.id)

    # -- the visits -----------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            local = alias.asname or top
            self.module_names.add(local)
            self.aliases[local] = _canonical(alias.name if alias.asname else top)
            if top in FORBIDDEN_MODULES:
                self.flag(node, FORBIDDEN_MODULES[top])
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = _canonical(node.module or "")
        top = module.split(".")[0]
        if top in FORBIDDEN_MODULES:
            self.flag(node, FORBIDDEN_MODULES[top])
        for alias in node.names:
            if alias.name == "*" and top in TRACKED_ROOTS:
                self.flag(node, f"imports everything from {top}")
                continue
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            if (top, alias.name) in FORBIDDEN_ATTRIBUTES:
                self.flag(node, FORBIDDEN_ATTRIBUTES[(top, alias.name)])
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            self.flag(node, FORBIDDEN_CALLS[node.func.id])
        if isinstance(node.func, ast.Attribute) and node.func.attr in FILE_METHODS:
            self.flag(node, "reads, writes or lists files")
        resolved = self.resolve(node)
        func = self.resolve(node.func)
        if resolved is not None and (
            func in IMPORTERS or (isinstance(node.func, ast.Name) and node.func.id == "getattr")
        ):
            self.check_name(node, resolved)  # __import__("subprocess"), getattr(os, "system")
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and node.args
            and self.resolve(node.args[0]) is not None
            and (len(node.args) < 2 or _constant_str(node.args[1]) is None)
        ):
            self.flag(node, "reaches a module's attributes by a computed name")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name):
            key = (node.value.id, node.attr)
            if key in FORBIDDEN_ATTRIBUTES:
                self.flag(node, FORBIDDEN_ATTRIBUTES[key])
        name = self.resolve(node)
        if name is not None:
            self.check_name(node, name)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        name = self.resolve(node)  # __builtins__["exec"], vars(os)["system"]
        if name is not None:
            self.check_name(node, name)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in {"__builtins__", "__loader__", "__spec__"}:
            self.flag(node, "touches the interpreter's internals")
        elif isinstance(node.ctx, ast.Load) and node.id in self.aliases:
            self.check_name(node, self.aliases[node.id])  # s() after `from os import system as s`
        self.generic_visit(node)

    def _check_target(self, target: ast.AST) -> None:
        # np.allclose = ..., math.log = ..., float.__eq__ = ...: patching shared objects.
        if isinstance(target, ast.Attribute):
            root = target
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and (
                root.id in self.module_names
                or root.id in {"builtins", "__builtins__", "np", "math"}
            ):
                self.flag(target, f"patches {ast.unparse(target)}, shared with the grader")
        elif isinstance(target, ast.Subscript):
            self._check_target(target.value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_target(element)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)
        for target in node.targets:
            self.bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)
        self.bind(node.target, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.generic_visit(node)
        self.bind(node.target, node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        # A class whose __eq__ (or friends) always says yes is how outputs get faked.
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name in {
                "__eq__",
                "__ne__",
                "__float__",
                "__array__",
            }:
                self.flag(item, f"defines {item.name}, which can fake a result")
        self.generic_visit(node)


def scan_source(source: str, aliases: dict[str, str] | None = None) -> list[tuple[int, str]]:
    """``(line, reason)`` for each suspicious construct in one cell's code. ``aliases`` carries
    what names stand for from one cell to the next (see :class:`_Visitor`)."""
    lines = source.splitlines()
    found: list[tuple[int, str]] = []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None  # (ValueError: a null byte; RecursionError: absurdly deep nesting)
    if tree is not None:
        visitor = _Visitor(lines, aliases)
        try:
            visitor.visit(tree)
        except RecursionError:
            visitor.flag(tree, "the cell is nested too deeply to be checked")
        found.extend(visitor.found)
    flagged_lines = {line for line, _ in found}
    for pattern, reason in TEXT_PATTERNS:  # what the syntax tree cannot see (magics, strings)
        for match in pattern.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            if line not in flagged_lines:
                found.append((line, reason))
                flagged_lines.add(line)
    if tree is None and not found:
        found.append((1, "the cell is not valid Python (it cannot be checked)"))
    first = {}
    for line, reason in found:  # one finding per line: the most specific (syntax) reason
        first.setdefault(line, reason)
    return sorted(first.items())


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _cells(nb: object) -> list[dict]:
    """The cells of a notebook, whatever the file holds (only mappings count as cells)."""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    return [c if isinstance(c, dict) else {} for c in cells] if isinstance(cells, list) else []


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def scan_notebook(nb: dict, release: dict | None = None) -> list[Finding]:
    """Findings in the code cells the student wrote or changed.

    With ``release`` (the notebook as handed out), cells identical to one of its cells are
    skipped, and so are the cells nbgrader restores (locked or test cells, by grade_id).
    """
    trusted: set[str] = set()
    restored: set[str] = set()
    if release is not None:
        for cell in _cells(release):
            meta = _nbgrader(cell)
            if meta.get("grade_id") and (
                meta.get("locked") or (meta.get("grade") and not meta.get("solution"))
            ):
                restored.add(meta["grade_id"])
            if cell.get("cell_type") == "code" and not meta.get("solution"):
                trusted.add(_source(cell).strip())
    findings = []
    aliases: dict[str, str] = {}  # a name bound in one cell is used in the next
    for index, cell in enumerate(_cells(nb)):
        if cell.get("cell_type") != "code":
            continue
        source = _source(cell)
        if _nbgrader(cell).get("grade_id") in restored:
            continue
        if source.strip() in trusted:
            continue
        lines = source.splitlines()
        for line, reason in scan_source(source, aliases):
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            findings.append(Finding(index, line, reason, code[:120]))
    return findings


def scan_file(path: Path, release_path: Path | None = None) -> list[Finding]:
    """Scan a submitted notebook file against the released notebook it started from."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    release = json.loads(Path(release_path).read_text(encoding="utf-8")) if release_path else None
    return scan_notebook(nb, release)
