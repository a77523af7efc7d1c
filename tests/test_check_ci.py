"""The CI recipes as written: examples/github-workflow.yml and examples/gitlab-ci.yml are parsed, their
`run:`/`script:` commands executed by bash with the real `ovc` against examples/ci-workloads.yaml, and
`gh`, `curl` and `pip` replaced by a recording stub on PATH that plays GitHub's and GitLab's APIs
(comments, notes, artifacts). Asserted: the comment is created once and then updated in place (never
duplicated), the baseline travels as an artifact of the default branch (never a push), permissions
are least-privilege per event, triggers cover workloads, catalogs and the tool, and stale prices
reach the annotations and the step summary."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GH_WORKFLOW = ROOT / "examples" / "github-workflow.yml"
GITLAB = ROOT / "examples" / "gitlab-ci.yml"
MARKER = "<!-- ovc-check -->"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("jq") is None,
                                reason="the recipes' shell steps need bash and jq (both on GitHub's runners)")

STUB = r'''
import json, os, shutil, sys
state_path = os.environ["STUB_STATE"]
state = json.load(open(state_path))
name, args = TOOL, sys.argv[1:]  # noqa: F821 (set by the wrapper on PATH)
with open(os.environ["STUB_LOG"], "a") as fh:
    fh.write(json.dumps([name, *args]) + "\n")

def save():
    json.dump(state, open(state_path, "w"))

def opt(flag, default=None):
    return args[args.index(flag) + 1] if flag in args else default

if name == "pip":
    sys.exit(0)
if name == "gh":
    if args[:2] == ["run", "list"]:  # newest first; --jq applied by the real jq, as gh would
        import subprocess
        runs = state["runs"] if state.get("artifact") else []
        out = subprocess.run(["jq", "-r", opt("--jq", ".")], input=json.dumps(runs), capture_output=True, text=True)
        sys.stdout.write(out.stdout)
        sys.exit(out.returncode)
    if args[:2] == ["run", "download"]:
        if not state.get("artifact") or args[2] != str(state["run_id"]) or opt("--name") != "ovc-baseline":
            sys.exit(1)
        os.makedirs(opt("--dir"), exist_ok=True)
        shutil.copy(state["artifact"], os.path.join(opt("--dir"), "ovc-baseline.json"))
        sys.exit(0)
    if args[0] == "api":
        method = opt("--method", "GET")
        path = next(a for a in args[1:] if a.startswith("repos/"))
        body = opt("-F")
        if body is not None:
            assert body.startswith("body=@"), body
            body = open(body[len("body=@"):], encoding="utf-8").read()
        if method == "GET" and path.endswith("/comments"):
            print(json.dumps(state["comments"]))
        elif method == "POST" and path.endswith("/comments"):
            state["next_id"] += 1
            c = {"id": state["next_id"], "user": {"login": "github-actions[bot]"}, "body": body}
            state["comments"].append(c)
            save()
            print(json.dumps(c))
        elif method == "PATCH" and "/issues/comments/" in path:
            cid = int(path.rsplit("/", 1)[1])
            c = next(c for c in state["comments"] if c["id"] == cid)
            c["body"] = body
            save()
            print(json.dumps(c))
        else:
            sys.exit(f"gh stub: unexpected call {args}")
        sys.exit(0)
if name == "curl":
    url = [a for a in args if a.startswith("http")][-1]
    method = opt("--request", "GET")
    headers = [args[i + 1] for i, a in enumerate(args) if a == "--header"]
    if "/jobs/artifacts/" in url:
        assert headers in (["JOB-TOKEN: job-token"], ["PRIVATE-TOKEN: project-token"]), headers
        if not state.get("artifact"):
            sys.exit(22)
        shutil.copy(state["artifact"], opt("--output"))
        sys.exit(0)
    assert "PRIVATE-TOKEN: project-token" in headers, headers
    if url.endswith("/user"):
        print(json.dumps({"id": 7, "username": "project_1_bot"}))
    elif "/notes" in url and method == "GET":
        print(json.dumps(state["notes"]))
    elif url.endswith("/notes") and method == "POST":
        state["next_id"] += 1
        body = json.load(open(opt("--data")[1:], encoding="utf-8"))["body"]
        state["notes"].append({"id": state["next_id"], "author": {"id": 7}, "body": body})
        save()
    elif "/notes/" in url and method == "PUT":
        nid = int(url.rsplit("/", 1)[1])
        n = next(n for n in state["notes"] if n["id"] == nid)
        n["body"] = json.load(open(opt("--data")[1:], encoding="utf-8"))["body"]
        save()
    else:
        sys.exit(f"curl stub: unexpected call {args}")
    sys.exit(0)
sys.exit(f"stub: unknown tool {name}")
'''

GH_CONTEXT = {
    "github.token": "gh-token", "github.repository": "acme/llm-costs",
    "github.event.repository.default_branch": "main", "github.event.pull_request.number": "7",
    "env.BASELINE_ARTIFACT": "ovc-baseline",
}


class Sandbox:
    """A workspace with the example workloads, stubs on PATH before the real `ovc`, and API state."""

    def __init__(self, tmp_path: Path):
        self.root = tmp_path
        self.work = tmp_path / "work"
        (self.work / "examples").mkdir(parents=True)
        shutil.copy(ROOT / "examples" / "ci-workloads.yaml", self.work / "examples")
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        stub = self.bin / "stub.py"
        stub.write_text(STUB)
        for tool in ("gh", "curl", "pip"):
            p = self.bin / tool
            p.write_text(f"#!{sys.executable}\nimport runpy\n"
                         f"runpy.run_path({str(stub)!r}, init_globals={{'TOOL': {tool!r}}}, run_name='__main__')\n")
            p.chmod(0o755)
        self.state_path = tmp_path / "state.json"
        self.log = tmp_path / "calls.jsonl"
        self.log.write_text("")
        self.state = {"comments": [{"id": 1, "user": {"login": "alice"}, "body": f"{MARKER} quoted by a person"}],
                      "notes": [{"id": 2, "author": {"id": 99}, "body": f"{MARKER} quoted by a person"}],
                      "next_id": 100, "run_id": 4242, "artifact": None,
                      # a fork's PR from its `main` is the newest run listed under main: it must be skipped
                      "runs": [{"databaseId": 999, "event": "pull_request"}, {"databaseId": 4242, "event": "push"}]}
        self.save()

    def save(self):
        self.state_path.write_text(json.dumps(self.state))

    def load(self):
        self.state = json.loads(self.state_path.read_text())
        return self.state

    def env(self, extra: dict) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "OVC_"))}
        env.update(PATH=f"{self.bin}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                   STUB_STATE=str(self.state_path), STUB_LOG=str(self.log), COLUMNS="100")
        env.update(extra)
        return env

    def bash(self, script: str, env: dict, *, gitlab: bool = False):
        flags = ["-e", "-o", "pipefail"] if gitlab else ["-e"]  # GitHub's default `bash -e {0}`
        return subprocess.run(["bash", "--noprofile", "--norc", *flags, "-c", script], cwd=self.work,
                              env=self.env(env), capture_output=True, text=True, timeout=600)

    def calls(self, tool: str) -> list[list[str]]:
        return [c[1:] for c in map(json.loads, self.log.read_text().splitlines()) if c[0] == tool]


def _expr(value: str, ctx: dict) -> str:
    def sub(m):
        key = m.group(1).strip()
        assert key in ctx, f"the test does not know the expression {key!r}: add it to GH_CONTEXT"
        return ctx[key]

    return re.sub(r"\$\{\{(.*?)\}\}", sub, str(value))


def _workflow():
    wf = yaml.safe_load(GH_WORKFLOW.read_text())
    return wf, wf.get(True, wf.get("on"))  # YAML 1.1 reads the key `on` as True


def run_github_job(sb: Sandbox, job: str, event: str) -> dict:
    """Run every `run:` step of ``job`` as the runner would: step env with ${{ }} filled in,
    $GITHUB_ENV carried to later steps, one step summary. Returns outputs per step name."""
    wf, _ = _workflow()
    env_file, summary = sb.root / f"github_env_{job}", sb.root / f"summary_{job}.md"
    env_file.write_text("")
    summary.write_text("")
    carried: dict[str, str] = {}
    out = {}
    for step in wf["jobs"][job]["steps"]:
        if "run" not in step:
            continue
        env = {k: _expr(v, GH_CONTEXT) for k, v in {**wf.get("env", {}), **step.get("env", {})}.items()}
        env.update(carried, GITHUB_ENV=str(env_file), GITHUB_STEP_SUMMARY=str(summary), GITHUB_EVENT_NAME=event,
                   GITHUB_WORKFLOW=wf["name"], GITHUB_ACTIONS="true")
        r = sb.bash(_expr(step["run"], GH_CONTEXT), env)
        out[step.get("name", step["run"][:30])] = r
        assert r.returncode == 0, f"step {step.get('name')!r} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        for line in env_file.read_text().splitlines():
            k, _, v = line.partition("=")
            carried[k] = v
    out["summary"] = summary.read_text()
    return out


def _step(wf, job, needle):
    steps = [s for s in wf["jobs"][job]["steps"] if needle in s.get("run", "") or needle in s.get("name", "")]
    assert len(steps) == 1, (needle, steps)
    return steps[0]


def test_github_permissions_and_triggers():
    wf, on = _workflow()
    assert wf["permissions"] == {}  # nothing unless a job asks
    pr, base = wf["jobs"]["pull-request"], wf["jobs"]["baseline"]
    assert pr["permissions"] == {"contents": "read", "pull-requests": "write", "actions": "read"}
    assert base["permissions"] == {"contents": "read"}  # the baseline is an artifact: no contents: write
    assert "write" not in json.dumps({k: v for k, v in pr["permissions"].items() if k != "pull-requests"})
    assert pr["if"] == "github.event_name == 'pull_request'"
    assert "github.event_name != 'pull_request'" in base["if"] and "default_branch" in base["if"]
    assert base["if"].startswith("github.event_name == 'schedule' || (")  # schedule: the default branch
    text = GH_WORKFLOW.read_text()
    assert "git push" not in text and "git commit" not in text and "contents: write" not in text
    for event in ("pull_request", "push"):
        paths = on[event]["paths"]
        assert "examples/ci-workloads.yaml" in paths  # workloads
        assert any(p.startswith("ovc-catalog/") for p in paths)  # catalogs
        assert "pyproject.toml" in paths and any(p.startswith("requirements") for p in paths)  # the tool's pin
    assert on["pull_request"]["paths"] == on["push"]["paths"]
    assert "schedule" in on and on["push"]["branches"] == ["main"]
    # the comment step is skipped on forks, whose token cannot write
    assert "head.repo.full_name == github.repository" in _step(wf, "pull-request", "sticky")["if"]
    uploads = [s for s in base["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1 and uploads[0]["with"]["path"] == "ovc-baseline.json"
    assert _expr(uploads[0]["with"]["name"], GH_CONTEXT) == "ovc-baseline"
    report = [s for s in pr["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(report) == 1 and report[0]["if"] == "always()"
    assert report[0]["with"]["path"].split() == ["ovc-summary.md", "ovc-report.html"]


def _bump_volume(sb: Sandbox, factor: float):
    p = sb.work / "examples" / "ci-workloads.yaml"
    data = yaml.safe_load(p.read_text())
    data["workloads"][0]["requests_per_day"] *= factor
    p.write_text(yaml.safe_dump(data, sort_keys=False))


def test_github_workflow_runs(tmp_path):
    """Main writes the baseline artifact; a PR run comments once; a second PR run updates that comment."""
    sb = Sandbox(tmp_path)
    # the first PR, before the default branch has a baseline: a notice, no --baseline, one comment
    out = run_github_job(sb, "pull-request", "pull_request")
    assert "no baseline artifact" in next(r.stdout for n, r in out.items() if n.startswith("download"))
    st = sb.load()
    ours = [c for c in st["comments"] if c["user"]["login"] == "github-actions[bot]"]
    assert len(ours) == 1 and ours[0]["body"].startswith(MARKER + "\n### ovc check")
    assert "vs baseline" not in ours[0]["body"]
    # the default branch run: a baseline artifact, written twice with the same bytes
    out = run_github_job(sb, "baseline", "push")
    base = sb.work / "ovc-baseline.json"
    first = base.read_bytes()
    assert json.loads(first)["kind"] == "ovc-check" and "generated" not in json.loads(first)
    run_github_job(sb, "baseline", "schedule")
    assert base.read_bytes() == first
    art = tmp_path / "artifact.json"
    shutil.copy(base, art)
    sb.state["artifact"] = str(art)
    sb.save()
    # a PR that doubles the chat volume: the same comment is updated, with the diff and why
    _bump_volume(sb, 2)
    out = run_github_job(sb, "pull-request", "pull_request")
    st = sb.load()
    ours = [c for c in st["comments"] if c["user"]["login"] == "github-actions[bot]"]
    assert len(ours) == 1, "the sticky comment was duplicated"
    body = ours[0]["body"]
    assert "vs baseline" in body and "| volume |" in body and "36M -&gt; 72M tokens/day" in body
    assert st["comments"][0]["body"] == f"{MARKER} quoted by a person"  # a person's comment is never touched
    gh = sb.calls("gh")
    posts = [c for c in gh if "POST" in c]
    patches = [c for c in gh if "PATCH" in c]
    assert len(posts) == 1 and len(patches) == 1 and patches[0][3] == f"repos/acme/llm-costs/issues/comments/{ours[0]['id']}"
    downloads = [c for c in gh if c[:2] == ["run", "download"]]
    assert downloads[-1][2] == "4242" and "--name" in downloads[-1]
    lst = [c for c in gh if c[:2] == ["run", "list"]][-1]
    assert lst[lst.index("--branch") + 1] == "main" and lst[lst.index("--status") + 1] == "success"
    assert lst[lst.index("--workflow") + 1] == "ovc cost check"
    assert 'select(.event != "pull_request")' in lst[lst.index("--jq") + 1]  # never a fork PR's run of `main`
    # the gate's annotations: the stale hardware price as a ::warning, and in the step summary
    gate = next(r for n, r in out.items() if n.startswith("check budgets"))
    warnings = [x for x in gate.stdout.splitlines() if x.startswith("::warning ")]
    stale = [x for x in warnings if "title=ovc stale price" in x]
    # the bundled catalog's prices are current: a stale one shows as an annotation only when there is one
    assert all("rtx4090" in x or "price" in x for x in stale)
    assert ("**Stale prices**" in out["summary"]) == bool(stale)
    assert (sb.work / "ovc-report.html").exists() and (sb.work / "ovc-summary.md").exists()
    assert sb.calls("pip") == [["install", ".[report]"]] * 4  # two PR runs and two baseline runs


def test_gitlab_job_parses_and_runs(tmp_path):
    ci = yaml.safe_load(GITLAB.read_text())
    job, base = ci["ovc-check"], ci["ovc-baseline"]
    changes = job["rules"][0]["changes"]
    assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert "examples/ci-workloads.yaml" in changes and "pyproject.toml" in changes
    assert any(c.startswith("ovc-catalog/") for c in changes) and any(c.startswith("requirements") for c in changes)
    assert all("$CI_DEFAULT_BRANCH" in r["if"] for r in base["rules"])
    assert base["artifacts"]["paths"] == ["ovc-baseline.json"]
    assert set(job["artifacts"]["paths"]) == {"ovc-summary.md", "ovc-report.html"} and job["artifacts"]["when"] == "always"
    assert "git push" not in GITLAB.read_text()
    sb = Sandbox(tmp_path)
    common = {**{k: str(v) for k, v in ci["variables"].items()}, "CI_API_V4_URL": "https://gitlab.example/api/v4",
              "CI_PROJECT_ID": "12", "CI_DEFAULT_BRANCH": "main", "CI_JOB_TOKEN": "job-token"}

    def run(j, extra):
        r = sb.bash("\n".join(ci[j].get("before_script", []) + ci[j]["script"]), {**common, **extra}, gitlab=True)
        assert r.returncode == 0, f"{j} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        return r

    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "3",
          "OVC_GITLAB_TOKEN": "project-token"}
    r = run("ovc-check", mr)
    assert "no baseline on main yet" in r.stdout
    run("ovc-baseline", {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"})
    art = tmp_path / "artifact.json"
    shutil.copy(sb.work / "ovc-baseline.json", art)
    sb.state = {**sb.load(), "artifact": str(art)}
    sb.save()
    (sb.work / "ovc-baseline.json").unlink()
    _bump_volume(sb, 2)
    run("ovc-check", mr)
    st = sb.load()
    ours = [n for n in st["notes"] if n["author"]["id"] == 7]
    assert len(ours) == 1, "the MR note was duplicated"
    assert ours[0]["body"].startswith(MARKER + "\n### ovc check") and "| volume |" in ours[0]["body"]
    assert st["notes"][0]["body"] == f"{MARKER} quoted by a person"
    curl = sb.calls("curl")
    assert [c[c.index("--request") + 1] for c in curl if "--request" in c] == ["POST", "PUT"]
    downloads = [c for c in curl if any("/jobs/artifacts/main/raw/ovc-baseline.json?job=ovc-baseline" in a for a in c)]
    assert downloads and all("PRIVATE-TOKEN: project-token" in c for c in downloads)
    # without a project token: the job token reads the artifact, no note, and the job still passes
    n = len(downloads)
    r = run("ovc-check", {**mr, "OVC_GITLAB_TOKEN": ""})
    assert "no MR note" in r.stdout
    curl = sb.calls("curl")
    downloads = [c for c in curl if any("/jobs/artifacts/main/raw/" in a for a in c)]
    assert len(downloads) == n + 1 and "JOB-TOKEN: job-token" in downloads[-1]
    assert len([x for x in sb.load()["notes"] if x["author"]["id"] == 7]) == 1


def test_docs_name_the_recipes():
    text = (ROOT / "docs" / "ci.md").read_text()
    assert "examples/github-workflow.yml" in text and "examples/gitlab-ci.yml" in text
    assert MARKER in text
