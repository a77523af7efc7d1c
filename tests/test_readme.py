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
