"""The README's commands really run, and CI runs the README's test command."""

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_exactly_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    cmds = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)
    assert cmds == ['pip install . && ovc breakeven --tokens 5e8 --gpu 2x4090', 'pip install -e ".[test]" && pytest']


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]" && pytest' in ci
    assert "set -euo pipefail" in ci


EXAMPLES = [line[2:] for block in _blocks("console") for line in block.splitlines() if line.startswith("$ ovc ")]
EXAMPLES.append("ovc breakeven --tokens 5e8 --gpu 2x4090")


@pytest.mark.parametrize("cmd", EXAMPLES)
def test_readme_examples_run(run, cmd):
    args = shlex.split(cmd)[1:]
    r = run(*args)
    assert r.exit_code == 0, f"{cmd}\n{r.output}"
    assert r.stdout.strip()


def test_readme_has_examples():
    assert len(EXAMPLES) >= 6


KIND_WORDS = {"closed API": "closed-api", "hosted open-weight API": "hosted-open-api", "self-hosted": "self-host",
              "hybrid": "hybrid"}
ANSWER = re.compile(r"(closed API|hosted open-weight API|self-hosted|hybrid) `([^`]+)`(?: \+ `([^`]+)`)?")
TABLE = [(m.group(1), m.group(2)) for m in re.finditer(r"^\| `(examples/[^`]+\.yaml)` \|[^|]*\| (.*) \|$", README, re.M)]


def test_readme_example_table_says_what_recommend_answers(run):
    """Each row's answer column names, per workload in file order, the kind and option the tool recommends."""
    import json

    assert len(TABLE) >= 5
    for path, answer in TABLE:
        d = json.loads(run("recommend", str(ROOT / path), "--json", "--max-age-days", "100000").stdout)
        said = [(KIND_WORDS[k], [x for x in (a, b) if x]) for k, a, b in ANSWER.findall(answer)]
        got = []
        for w in d["workloads"]:
            o = w["recommendation"]["option"]
            got.append((o["kind"], o["parts"] if o["kind"] == "hybrid" else [o["id"]]))
        assert said == got, f"{path}: README says {said}, ovc recommend answers {got}"
