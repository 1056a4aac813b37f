"""The public self-check data (``course/data/selfcheck/``) against independent truth: the
reference solutions, the alternative answers, the classic mistakes and the grader's own
verdicts; fresh, and free of hidden cases and of reference code."""

import importlib
import inspect
import json
import math
import re
import shutil

import numpy as np
import pytest

import autograder.public_cases as builder
from autograder import wire
from autograder.assignments import REPO, built_assignments, get_assignment
from autograder.checks import core, criteria_for, partners_for
from course import selfcheck as student
from course.adapters import Adapter, adapter
from course.comparisons import Close, Comparison, comparison

ASSIGNMENTS = built_assignments()
IDS = [a.id for a in ASSIGNMENTS]

# Classic mistakes that no public case can tell from a correct answer, and those the
# self-check detects but cannot name: none today. A mistake added to autograder/answers/
# that the public cases miss makes the tests below fail until a public case is added to
# public_cases() in autograder/checks/<module>.py, or the mistake is listed here with the
# reason.
UNDETECTED: set[tuple[str, str]] = set()
UNNAMED: set[tuple[str, str]] = set()


def answers_of(assignment):
    return importlib.import_module(f"autograder.answers.{assignment.module}")


@pytest.fixture(scope="module")
def public():
    return {a.id: student.load_public(a.id) for a in ASSIGNMENTS}


def partners_of(assignment, exercise, chosen=None):
    """The partner functions of an exercise: ``chosen[exercise]`` or else the reference's."""
    module = assignment.reference()
    chosen = chosen or {}
    return {
        key: chosen.get(other, getattr(module, other)) for key, other in exercise.partners.items()
    }


def test_every_built_notebook_has_its_data_file():
    """Is there exactly one data file per released notebook, for every exercise in order?"""
    assert sorted(p.stem for p in builder.OUT.glob("*.json")) == sorted(IDS)
    for assignment in ASSIGNMENTS:
        data = student.load_public(assignment.id)
        assert [e.name for e in data.exercises] == [e.name for e in assignment.exercises]
        assert [e.points for e in data.exercises] == [e.points for e in assignment.exercises]


def test_committed_data_is_fresh():
    """Does `python -m autograder.public_cases` rebuild exactly the committed files?"""
    assert builder.stale() == [], "stale: run `python -m autograder.public_cases`"


def test_check_flag_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    """Does `--check` exit 1 (naming the file) when a committed file differs, and 0 when not?"""
    shutil.copy(builder.OUT / "01-entropy.json", tmp_path / "01-entropy.json")
    monkeypatch.setattr(builder, "OUT", tmp_path)
    assert builder.main(["--check", "01-entropy"]) == 0
    data = json.loads((tmp_path / "01-entropy.json").read_text())
    data["exercises"][0]["criteria"][0]["cases"][0]["expected"] = {"value": 3.0}
    (tmp_path / "01-entropy.json").write_text(builder.dumps(data))
    assert builder.main(["--check", "01-entropy"]) == 1
    assert "01-entropy.json is stale" in capsys.readouterr().out


def test_every_criterion_is_public_or_listed(public):
    """Does every criterion of every spec have public cases, unless listed as impossible?"""
    for assignment in ASSIGNMENTS:
        for exercise in assignment.exercises:
            names = [c.name for c in criteria_for(exercise.name)]
            data = next(e for e in public[assignment.id].exercises if e.name == exercise.name)
            left_out = [n for n in names if n not in [c.name for c in data.criteria]]
            listed = builder.without_public_cases(assignment).get(exercise.name)
            assert left_out == ([listed] if listed else []), (exercise.name, left_out)
            assert all(c.cases for c in data.criteria)


def _plain(value):
    """Containers of the same data compare equal: arrays, lists, tuples, the characters of
    a string, ints and floats (written independently of the builder's ``canonical``)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, str):
        return value if len(value) == 1 else [_plain(c) for c in value]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return sorted(([_plain(k), _plain(v)] for k, v in value.items()), key=repr)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return float(value)
    return repr(value)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_no_public_case_is_a_hidden_case(assignment, public):
    """Is every public input different from every hidden input of the notebook's spec?"""
    hidden = {
        repr(_plain([list(c.args), c.kwargs]))
        for e in assignment.exercises
        for criterion in criteria_for(e.name)
        for c in criterion.cases
    }
    for exercise in public[assignment.id].exercises:
        for criterion in exercise.criteria:
            for case in criterion.cases:
                key = repr(_plain([list(case.args), case.kwargs]))
                assert key not in hidden, (exercise.name, criterion.name, case.call_text("f"))


def _distinctive_lines(fn) -> list[str]:
    body = inspect.getsource(fn).split('"""')[-1]
    return [
        line.strip()
        for line in body.splitlines()
        if len(line.strip()) >= 20 and not line.strip().startswith(("import ", "from ", "#"))
    ]


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_data_holds_no_source_code(assignment):
    """Does the data file hold no line of the reference, the mistakes or the alternatives?"""
    text = (builder.OUT / f"{assignment.id}.json").read_text(encoding="utf-8")
    module = assignment.reference()
    functions = [getattr(module, e.name) for e in assignment.exercises]
    functions += [m.fn for m in answers_of(assignment).MISTAKES]
    functions += [f for fns in answers_of(assignment).ALTERNATIVES.values() for f in fns]
    leaked = [
        line
        for fn in functions
        for line in _distinctive_lines(fn)
        if json.dumps(line)[1:-1] in text
    ]
    assert not leaked, leaked[:3]
    assert not re.search(r"\bdef \w+\(|\blambda\b[^\"]*:", text)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_reference_and_alternatives_pass_every_public_check(assignment, public):
    """Do the reference and every alternative answer pass all public checks?"""
    alternatives = answers_of(assignment).ALTERNATIVES
    for exercise in public[assignment.id].exercises:
        fn = getattr(assignment.reference(), exercise.name)
        report = student.check_exercise(exercise, fn, partners_of(assignment, exercise))
        assert report.status == "pass", (exercise.name, report.failure)
        for i, alternative in enumerate(alternatives[exercise.name]):
            chosen = {other: alternatives[other][i] for other in exercise.partners.values()}
            partners = partners_of(assignment, exercise, chosen)
            report = student.check_exercise(exercise, alternative, partners)
            assert report.status == "pass", (exercise.name, i, report.failure)


def _mistake_reports(assignment, public):
    data = public[assignment.id]
    for mistake in answers_of(assignment).MISTAKES:
        exercise = next(e for e in data.exercises if e.name == mistake.exercise)
        partners = partners_of(assignment, exercise, mistake.companions)
        yield mistake, student.check_exercise(exercise, mistake.fn, partners)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_every_mistake_fails_and_is_named(assignment, public):
    """Does every classic mistake fail a public check of its exercise, and does the
    self-check name it with its hint (except the mistakes listed as impossible)?"""
    detected, named = set(), set()
    reports = list(_mistake_reports(assignment, public))
    for mistake, report in reports:
        key = (mistake.exercise, mistake.name)
        if report.status == "fail":
            detected.add(key)
            assert report.failure["input"].startswith(f"{mistake.exercise}(")
        if report.mistake == [mistake.name, mistake.hint]:
            named.add(key)
    every = {(m.exercise, m.name) for m, _ in reports}
    print(f"{assignment.id}: {len(detected)}/{len(every)} detected, {len(named)} named")
    assert detected == every - UNDETECTED
    assert named == every - UNDETECTED - UNNAMED


def test_a_mistake_is_not_named_for_another_wrong_answer(public):
    """Is no mistake named when the answer is wrong in another way (a constant)?"""
    exercise = next(e for e in public["01-entropy"].exercises if e.name == "entropy")
    report = student.check_exercise(exercise, lambda p, base=2: 1.0)
    assert report.status == "fail" and report.mistake == []


def _grader_view(assignment, exercise):
    """The spec's criteria with the public cases, and the reference's outcomes on them, as
    the grader's own machinery (``autograder.checks.core``) runs them."""
    spec = {c.name: c for c in criteria_for(exercise.name)}
    criteria = [
        core.Criterion(
            c.name,
            [core.Case(case.args, case.kwargs) for case in c.cases],
            spec[c.name].compare,
            adapt=spec[c.name].adapt,
        )
        for c in exercise.criteria
    ]
    module = assignment.reference()
    reference_partners = {
        key: getattr(module, other) for key, other in partners_for(exercise.name).items()
    }
    reference = getattr(module, exercise.name)
    expected = core.run_cases(reference, criteria, budget=math.inf, partners=reference_partners)
    return criteria, expected


def _grader_passes(view, fn, partners) -> list[list[bool]]:
    """The grader's verdicts on the public cases."""
    criteria, expected = view
    got = core.run_cases(fn, criteria, budget=math.inf, partners=partners)
    return [
        [
            core.verdict(g, e, case, criterion.compare) is None
            for g, e, case in zip(got[ci], expected[ci], criterion.cases, strict=True)
        ]
        for ci, criterion in enumerate(criteria)
    ]


def _self_check_passes(exercise, fn, partners) -> list[list[bool]]:
    outcomes = student.run_exercise(exercise, fn, partners)
    return [
        [
            student.verdict(o, case.expected, case, criterion.compare) is None
            for o, case in zip(outcomes[ci], criterion.cases, strict=True)
        ]
        for ci, criterion in enumerate(exercise.criteria)
    ]


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=IDS)
def test_public_verdicts_agree_with_the_grader(assignment, public):
    """On every public case, does the self-check pass exactly what the grader's own checks
    pass, for the reference, every alternative and every mistake?"""
    alternatives = answers_of(assignment).ALTERNATIVES
    answers = []
    for exercise in public[assignment.id].exercises:
        answers.append((exercise, getattr(assignment.reference(), exercise.name), {}))
        for i, alternative in enumerate(alternatives[exercise.name]):
            chosen = {other: alternatives[other][i] for other in exercise.partners.values()}
            answers.append((exercise, alternative, chosen))
    for mistake in answers_of(assignment).MISTAKES:
        exercise = next(e for e in public[assignment.id].exercises if e.name == mistake.exercise)
        answers.append((exercise, mistake.fn, mistake.companions))
    views = {e.name: _grader_view(assignment, e) for e in public[assignment.id].exercises}
    for exercise, fn, chosen in answers:
        partners = partners_of(assignment, exercise, chosen)
        assert _self_check_passes(exercise, fn, partners) == _grader_passes(
            views[exercise.name], fn, partners
        ), (exercise.name, getattr(fn, "__name__", fn))


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        2**70,
        -math.inf,
        math.nan,
        "0110",
        (1, (2.5, "a")),
        [[0.5, 0.5], [1.0]],
        {0: "0", 1: "10", ("to", "be"): 2},
        np.float64(0.25),
        np.int64(-3),
        np.array([[1.0, np.inf], [np.nan, -0.0]]),
        np.array([1, 2, 3], dtype=np.int8),
        np.array([0.5, 2.0], dtype=np.float32),
        np.array(["a", "bc"]),
        np.zeros((0, 3)),
    ],
    ids=repr,
)
def test_course_decoder_reads_the_wire_format(value):
    """Does course/selfcheck.py decode what autograder/wire.py encodes, types included?"""
    back = student.decode(json.loads(json.dumps(wire.encode(value))))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        np.testing.assert_array_equal(back, value)
    elif isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value


def test_builder_refuses_what_the_learner_side_cannot_read():
    """Are an unknown comparison, an unknown adapter and an undecodable value refused, and
    does the learner's side say what to do with a data file that names a kind it does not
    know?"""
    with pytest.raises(ValueError, match="unknown comparison 'grader_only'"):
        comparison({"kind": "grader_only"})
    with pytest.raises(ValueError, match="unknown way of calling 'grader_only'"):
        adapter({"kind": "grader_only"})
    with pytest.raises(ValueError, match="cannot store"):
        builder._checked(wire.encode(b"bytes"))
    data = json.loads((builder.OUT / "01-entropy.json").read_text())
    data["exercises"][0]["criteria"][0]["compare"] = {"kind": "newer"}
    with pytest.raises(student.SelfCheckError, match="comparison 'newer' that this course"):
        student.parse_public(data)


def test_every_comparison_and_adapter_is_its_data_form():
    """Does every spec criterion's comparison and adapter come back equal from its data form
    (a grader-only wrapper, as the PyTorch-autograd gradient check, as its inner
    comparison), so that the learner's side judges with the grader's own parameters?"""
    kinds = 0
    for assignment in ASSIGNMENTS:
        for exercise in assignment.exercises:
            for criterion in criteria_for(exercise.name):
                for obj, build in ((criterion.compare, comparison), (criterion.adapt, adapter)):
                    data = obj.data()
                    assert json.loads(json.dumps(data)) == data  # plain JSON
                    rebuilt = build(data)
                    assert rebuilt.data() == data
                    if type(obj) in (*Comparison.KINDS.values(), *Adapter.KINDS.values()):
                        assert rebuilt == obj, (exercise.name, criterion.name)
                    kinds += 1
    assert kinds > 300


def test_builder_reads_tolerances_from_the_spec():
    """Are a criterion's tolerances and harness read from the spec, not copied by hand?"""
    kl = {c.name: c for c in criteria_for("kl_divergence")}
    loose = next(c for name, c in kl.items() if name.startswith("sums within"))
    assert loose.compare.data() == {"kind": "close", "rtol": 1e-5, "atol": 1e-5, "same_type": True}
    decode = criteria_for("arithmetic_decode")[0]
    assert decode.adapt.data() == {"kind": "round_trip", "partner": "encoder"}
    assert get_assignment("07-llm-losses").exercises[0].name == "log_softmax"
    form = criteria_for("log_softmax")[-1]
    assert form.adapt.data() == {"kind": "torch", "differentiable": {"logits": 0}, "shape": "input"}
    gradient = criteria_for("softmax_cross_entropy_grad")[0].compare
    assert gradient.data() == {"kind": "close", "rtol": 1e-6, "atol": 1e-9, "same_type": True}
    public = student.load_public("03-cross-entropy").exercises[3].criteria[0].compare
    assert public == Close(1e-6, 1e-9)
    assert (REPO / "course" / "data" / "selfcheck").is_dir()


def test_staleness_ignores_float32_roundoff_but_not_a_change():
    """Does the freshness check accept float32 results that differ in their last bits between
    machines (as PyTorch's float32 gradients do), and still catch a real change?"""
    rng = np.random.default_rng(0)
    x32 = rng.normal(size=(3, 7)).astype(np.float32)
    ulps = np.nextafter(x32, np.float32(np.inf))  # every entry one float32 ulp up
    as_data = lambda a: wire.encode(a.astype(np.float64))  # noqa: E731  (as the files hold it)
    assert builder.same_data(as_data(x32), as_data(ulps))
    changed = x32.copy()
    changed[1, 2] *= 1.001
    assert not builder.same_data(as_data(x32), as_data(changed))
    x64 = rng.normal(size=5)  # float64 data keep the strict tolerance
    assert not builder.same_data(as_data(x64), as_data(x64 * (1 + 1e-7)))
    assert builder.same_data(as_data(x64), as_data(x64 * (1 + 1e-12)))
