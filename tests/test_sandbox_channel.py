"""The channel from a sandboxed child belongs to that child (issue 14).

Student code runs in the process that reports its results, so it can write any bytes to the
result pipe. Whatever it writes (garbage, a forged message for a classmate, a frame claiming
to be huge, more than the cap, values that break the judge) costs only its own result, which
is flagged; the classmates in the same batch are graded exactly as if it were not there.
"""

import json
import time
from dataclasses import asdict

import pytest

from autograder import channel, wire
from autograder.checks import reference_outcomes
from autograder.judging import judge_execution
from autograder.sandbox import Execution
from tests.sandbox_cases import ENTROPY, outputs_text, run_class, surprisal_notebook

pytestmark = pytest.mark.slow

# Student code that writes ``payload`` (a bytes expression) to every pipe it can find.
WRITE_EVERYWHERE = """
import os, stat
for name in os.listdir('/proc/self/fd'):
    fd = int(name)
    try:
        if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, {payload})
    except OSError:
        pass
"""


def frame(message) -> str:
    body = json.dumps(message).encode()
    return repr(channel.FRAME.pack(len(body)) + body)


ATTACKS = {
    "garbage": repr(b"this is not JSON\n\x00\xff" * 100),
    "old-style-forged-exit": repr(b'{"id": "victim", "exit": "signal 9"}\n'),
    "forged-exit-frame": frame({"id": "victim", "exit": "signal 9"}),
    "forged-cell-for-a-cell-that-is-not-code": frame({"cell": 10**6, "outputs": [], "records": []}),
    "huge-frame-header": repr(channel.FRAME.pack(2**62)),
    "frame-of-a-list": frame([1, 2, 3]),
    "output-of-a-bad-type": frame(
        {"cell": 0, "outputs": [{"output_type": "stream", "name": "in", "text": 1}], "records": []}
    ),
}


# A classmate still running while the attacks happen (one is fed before them, one after).
VICTIM = surprisal_notebook(before=("import time\ntime.sleep(3)",))


@pytest.fixture(scope="module")
def attacked():
    notebooks = {"victim-0": VICTIM}
    for name, payload in ATTACKS.items():
        notebooks[name] = surprisal_notebook(before=(WRITE_EVERYWHERE.format(payload=payload),))
    notebooks["victim-1"] = VICTIM
    return run_class(notebooks, seconds=120)


def full_points(execution: Execution, notebook: dict | None = None) -> float:
    judgement = judge_execution(ENTROPY, notebook or surprisal_notebook(), execution)
    return judgement.results["surprisal"].points if "surprisal" in judgement.results else 0.0


def test_classmates_are_graded_as_if_nothing_happened(attacked):
    for i in range(2):
        victim = attacked[f"victim-{i}"]
        assert victim.exit == "ok" and victim.finished and not victim.violation
        assert full_points(victim, VICTIM) == 1.0


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_bad_message_costs_only_its_sender_and_is_flagged(attacked, attack):
    execution = attacked[attack]
    assert "malformed result" in execution.violation, execution.violation
    assert not execution.finished
    judgement = judge_execution(ENTROPY, surprisal_notebook(), execution)
    assert any("malformed result" in p for p in judgement.problems)


def test_a_child_over_its_byte_cap_is_stopped_alone():
    loud = surprisal_notebook(before=("print('x' * 190_000)",) * 8)  # 8 cells, 1.5 MB
    executions = run_class({"loud": loud, "quiet": VICTIM}, child_bytes=2**20, seconds=120)
    assert "more than 1 MiB" in executions["loud"].violation
    assert executions["quiet"].finished and full_points(executions["quiet"], VICTIM) == 1.0


def test_a_large_result_moves_in_linear_time():
    """180 MB sent by one child (a check record: no output cap in the child applies) arrive
    whole, in seconds (the zygote once grew one buffer by concatenation: 216 s)."""
    send_big = (
        "import autograder.checks as c\n"
        "c.RECORDER('surprisal', {'outcomes': 'x' * (180 * 2**20)})\n"
    )
    started = time.perf_counter()
    executions = run_class(
        {"big": surprisal_notebook(before=(send_big,)), "small": surprisal_notebook()},
        seconds=300,
    )
    took = time.perf_counter() - started
    big = executions["big"]
    assert big.finished and not big.violation
    records = [r for cell in big.cells.values() for r in cell["records"]]
    key, value = records[0]["record"]["__dict__"][0]  # the wire's form of a dict
    assert key == "outcomes" and len(value) == 180 * 2**20
    assert took < 60, took
    assert full_points(executions["small"]) == 1.0


def record_with(**bad) -> dict:
    """The reference's own record of surprisal, in the wire's form, with the first outcome's
    fields replaced by ``bad`` (raw wire forms, as a patched recorder could send them)."""
    _, expected = reference_outcomes("surprisal")
    record = wire.encode({"outcomes": [[asdict(o) for o in group] for group in expected]})
    first = record["__dict__"][0][1][0][0]
    first["__dict__"] = [[k, v] for k, v in {**dict(first["__dict__"]), **bad}.items()]
    return record


OUT_OF_RANGE = {
    "float-overflow": record_with(value={"__np__": "<f8", "v": 10**400}),
    "int-overflow": record_with(value={"__np__": "<i8", "v": 10**30}),
    "unknown-tensor-type": record_with(
        value={"__tensor__": "", "dtype": "<f8", "shape": [0], "torch_dtype": "nope"}
    ),
    "seconds-as-text": record_with(seconds="soon"),
    "infinite-seconds": record_with(seconds={"__float__": "inf"}),
    "error-types-not-a-list": record_with(error_types=7),
    "huge-array-shape": record_with(
        value={"__ndarray__": "", "dtype": "<f8", "shape": [10**10, 10**10]}
    ),
    "not-a-record": ["not", "a", "record"],
}


def judged(record) -> tuple:
    nb = surprisal_notebook()
    test_index = len(nb["cells"]) - 1
    execution = Execution("x", finished=True, exit="ok")
    execution.cells = {i: {"outputs": [], "records": []} for i in range(len(nb["cells"]))}
    execution.cells[test_index]["records"] = [{"name": "surprisal", "record": record}]
    return judge_execution(ENTROPY, nb, execution), test_index  # must not raise


def test_the_reference_record_itself_earns_full_points():
    judgement, _ = judged(record_with())
    assert judgement.results["surprisal"].points == 1.0


@pytest.mark.parametrize("case", sorted(OUT_OF_RANGE))
def test_a_record_the_judge_cannot_read_scores_zero_for_its_sender_only(case):
    judgement, test_index = judged(OUT_OF_RANGE[case])
    assert "surprisal" not in judgement.results
    assert any("unreadable result" in p for p in judgement.problems)
    assert "UnreadableResult" in str(judgement.notebook["cells"][test_index]["outputs"])


def test_validate_rebuilds_only_known_fields():
    message = {
        "cell": 2,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi", "extra": 1}],
        "records": [],
    }
    assert channel.validate(message, {2}, -1)["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "hi"}
    ]
    with pytest.raises(channel.ChannelError, match="second result"):
        channel.validate(message, {2}, 2)
    with pytest.raises(channel.ChannelError):
        channel.validate({"isolation": "none"}, set(), -1)


def test_student_code_cannot_see_the_graders_secrets(monkeypatch):
    monkeypatch.setenv("ITLM_TEST_SECRET", "hunter2-grader-secret")
    peek = (
        "import os\nprint(dict(os.environ))\n"
        "print(open('/proc/self/environ', 'rb').read())\n"
        "try:\n    print(open(f'/proc/{os.getppid()}/environ', 'rb').read())\n"
        "except OSError:\n    pass\n"
        "print('HOME', os.environ['HOME'] == os.getcwd())\n"
    )
    execution = run_class({"peek": surprisal_notebook(before=(peek,))}, seconds=120)["peek"]
    text = outputs_text(execution)
    assert "PATH" in text and "HOME True" in text  # the cell ran and printed its environment
    assert "hunter2-grader-secret" not in text
    assert "ITLM_TEST_SECRET" not in text
