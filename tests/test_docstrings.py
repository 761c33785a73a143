"""Every public function has numpydoc Parameters, Returns, Raises and Examples sections (issue 22).

The public functions are found, not listed: every callable that is not a class in the ``__all__`` of the
public namespaces (``PUBLIC``).  Each needs

- Parameters, if it takes any (``*args``/``**kwargs`` alone do not count);
- Returns, unless it returns None (annotated ``-> None``, or no ``return <value>`` in its source);
- Raises, unless it is in ``NO_RAISES`` (a function there must contain no ``raise`` statement: the test
  checks it, so the list cannot hide one that does);
- Examples with at least one doctest line (``>>>``).  The examples run: pytest collects them through
  pyproject's ``--doctest-modules``, and the root conftest.py skips those needing PyTorch, JAX or
  matplotlib where the tool is absent (and fails them in CI).

Every public class (not an exception) needs Parameters or Attributes, Raises where its own constructor has a
``raise``, and a doctest Example; its public methods need what a function needs, with Raises where the
method's own source raises.  docs/api.md must put every public function in the API reference.
"""

import ast
import importlib
import inspect
import textwrap

import pytest
from conftest import require_module

PUBLIC = ("symconv", "symconv.testing", "symconv.translate", "symconv.plot", "symconv.latex")
SECTIONS = ("Parameters", "Returns", "Raises", "Examples")
NO_RAISES = {
    "symconv.latex.appendix.claims_appendix",
    "symconv.latex.documents.document",
    "symconv.latex.documents.proof_document",
    "symconv.latex.documents.proof_fragment",
    "symconv.latex.markdown.proof_markdown",
    "symconv.latex.markdown.proof_mathjax",
    "symconv.latex.printing.escape_text",
    "symconv.latex.printing.math_latex",
    "symconv.latex.printing.matrix_window",
    "symconv.latex.printing.spec_latex",
    "symconv.latex.printing.symbol_latex",
    "symconv.translate.core.porting_mistakes",
    "symconv.proofs.weight_gradient.prove_weight_gradient_general",
}
"""Public functions that raise no error of their own (no ``raise`` statement; checked) on any argument of the
documented types: a Raises section would list nothing."""


def _public_functions() -> dict:
    found = {}
    for namespace in PUBLIC:
        module = importlib.import_module(namespace)
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and not inspect.isclass(obj):
                found.setdefault(f"{obj.__module__}.{obj.__qualname__}", (f"{namespace}.{name}", obj))
    return found


FUNCTIONS = _public_functions()


def _tree(obj) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(obj))))


def _returns_value(obj) -> bool:
    annotation = inspect.signature(obj).return_annotation
    if annotation is not inspect.Signature.empty:
        return annotation not in (None, "None")
    return any(isinstance(node, ast.Return) and node.value is not None for node in ast.walk(_tree(obj)))


def _raises(obj) -> bool:
    return any(isinstance(node, ast.Raise) for node in ast.walk(_tree(obj)))


def _missing(obj, qualified: str = "", method: bool = False, takes_self: bool = False) -> list:
    docscrape = require_module("numpydoc.docscrape", "docs")  # skips without numpydoc; fails in CI
    doc = docscrape.FunctionDoc(obj)
    takes = [p for p in inspect.signature(obj).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    takes = takes[1:] if takes_self else takes
    raises = _raises(obj) if method else qualified not in NO_RAISES  # a method: where its own source raises
    needed = {"Parameters": bool(takes), "Returns": _returns_value(obj), "Raises": raises, "Examples": True}
    lacking = [section for section in SECTIONS if needed[section] and not doc[section]]
    if doc["Examples"] and not any(line.lstrip().startswith(">>>") for line in doc["Examples"]):
        lacking.append("Examples (no doctest)")
    return lacking


def test_the_public_functions_are_found():
    names = {public for public, _ in FUNCTIONS.values()}
    for expected in ("symconv.prove_transpose", "symconv.testing.assert_is_convolution", "symconv.translate.port",
                     "symconv.plot.plot_matrix", "symconv.latex.proof_document"):
        assert expected in names
    assert len(FUNCTIONS) > 80


@pytest.mark.parametrize("qualified", sorted(FUNCTIONS))
def test_public_function_has_the_numpydoc_sections(qualified):
    public, obj = FUNCTIONS[qualified]
    assert _missing(obj, qualified) == [], f"{public} ({qualified}) lacks these numpydoc sections"


@pytest.mark.parametrize("qualified", sorted(NO_RAISES))
def test_no_raises_holds(qualified):
    assert qualified in FUNCTIONS, f"{qualified} is no longer public: remove it from NO_RAISES"
    assert not _raises(FUNCTIONS[qualified][1]), f"{qualified} raises: give it a Raises section"


def _public_classes() -> dict:
    found = {}
    for namespace in PUBLIC:
        module = importlib.import_module(namespace)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                found.setdefault(f"{obj.__module__}.{obj.__qualname__}", (f"{namespace}.{name}", obj))
    return found


CLASSES = _public_classes()


def _constructor_raises(cls) -> bool:
    """Whether the class's own constructor (``__new__``, ``__init__``, ``__post_init__``) has a raise statement."""
    for attr in ("__new__", "__init__", "__post_init__"):
        method = cls.__dict__.get(attr)
        if method is None or not inspect.isfunction(inspect.unwrap(method)):
            continue
        try:
            if _raises(method):
                return True
        except OSError:  # generated (a dataclass's __init__): no source, and no raise of its own
            continue
    return False


def _missing_class(cls) -> list:
    """A public class: Parameters or Attributes (what it is made of), Raises where its constructor raises, and a
    doctest Example.  (Exceptions are documented by their one line.)"""
    docscrape = require_module("numpydoc.docscrape", "docs")
    doc = docscrape.ClassDoc(cls, config={"show_class_members": False})
    lacking = []
    if not doc["Parameters"] and not doc["Attributes"]:
        lacking.append("Parameters or Attributes")
    if _constructor_raises(cls) and not doc["Raises"]:
        lacking.append("Raises")
    if not any(line.lstrip().startswith(">>>") for line in doc["Examples"]):
        lacking.append("Examples")
    return lacking


@pytest.mark.parametrize("qualified", sorted(CLASSES))
def test_public_class_has_the_numpydoc_sections(qualified):
    public, cls = CLASSES[qualified]
    assert _missing_class(cls) == [], f"{public} ({qualified}) lacks these numpydoc sections"


def _public_methods() -> dict:
    """The public methods (not properties) of the public classes, those inherited from symconv's classes too."""
    found = {}
    for public, cls in CLASSES.values():
        for owner in [c for c in cls.__mro__ if c.__module__.startswith("symconv")]:
            for name, member in vars(owner).items():
                key = f"{owner.__module__}.{owner.__qualname__}.{name}"
                if name.startswith("_") or key in found:
                    continue
                if isinstance(member, (classmethod, staticmethod)):
                    found[key] = (f"{public}.{name}", getattr(owner, name), False)
                elif inspect.isfunction(member):
                    found[key] = (f"{public}.{name}", member, True)
    return found


METHODS = _public_methods()


@pytest.mark.parametrize("qualified", sorted(METHODS))
def test_public_method_has_the_numpydoc_sections(qualified):
    public, method, takes_self = METHODS[qualified]
    assert _missing(method, qualified, method=True, takes_self=takes_self) == [], f"{public} lacks these sections"


def test_the_check_can_fail():
    def undocumented(x):
        """One line only."""
        return x

    assert _missing(undocumented) == list(SECTIONS)

    def no_doctest(x):
        """Sum.

        Parameters
        ----------
        x : int
            A number.

        Raises
        ------
        ValueError
            Never.

        Examples
        --------
        Prose only.
        """

    assert _missing(no_doctest) == ["Examples (no doctest)"]

    class Bare:
        """One line only."""

        def __init__(self, x):
            if x < 0:
                raise ValueError(x)

    assert _missing_class(Bare) == ["Parameters or Attributes", "Raises", "Examples"]


def _documented() -> set:
    """The functions docs/api.md's autodoc directives document, as ``module.name`` of their definition."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    found = set()
    for directive, module, options in re.findall(r"\.\. (automodule|autofunction):: ([\w.]+)\n((?:   .*\n)*)", text):
        if directive == "autofunction":
            owner, _, name = module.rpartition(".")
            names = [name]
            module = owner
        else:
            listed = re.search(r":members:(.*(?:\n {13,}.*)*)", options)
            if listed is None:
                continue
            names = [n for n in re.split(r"[\s,]+", listed.group(1)) if n]
            names = names or list(getattr(importlib.import_module(module), "__all__", ()))
        namespace = importlib.import_module(module)
        for name in names:
            obj = getattr(namespace, name)
            found.add(f"{getattr(obj, '__module__', module)}.{getattr(obj, '__qualname__', name)}")
    return found


def test_the_api_reference_documents_every_public_function():
    missing = sorted(public for qualified, (public, _) in FUNCTIONS.items() if qualified not in _documented())
    assert missing == [], "add them to an automodule's :members: in docs/api.md"


def test_no_source_file_has_an_invalid_escape_sequence():
    """A string like ``"$t^{\\circ}$"`` that is not raw warns on import, and ``"\\v..."`` silently becomes a control
    character: every source file of the package and its tests compiles with such warnings as errors."""
    import pathlib
    import warnings

    root = pathlib.Path(__file__).resolve().parent.parent
    files = sorted((root / "symconv").rglob("*.py")) + sorted((root / "tests").rglob("*.py"))
    assert len(files) > 50
    bad = []
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                compile(path.read_text(encoding="utf-8"), str(path), "exec")
            except (SyntaxError, SyntaxWarning, DeprecationWarning) as exc:
                bad.append(f"{path.relative_to(root)}: {exc}")
    assert not bad, bad
