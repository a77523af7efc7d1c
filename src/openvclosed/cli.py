"""The ``ovc`` command line: parse, call, render. No computation lives here.

Exit codes: 0 ok; 1 a check failed; 2 bad input or usage.
"""

from __future__ import annotations

import os
import signal
import sys


def _interrupted_early(signum, frame):  # pragma: no cover - exercised through the installed command
    """Ctrl-C, SIGTERM or SIGHUP while the modules load: one line, no traceback (nothing to clean up
    yet: no file is open for writing before ``main`` runs)."""
    try:
        os.write(2, b"ovc: error: interrupted\n" if signum == signal.SIGINT else
                 f"ovc: error: terminated (signal {signum})\n".encode())
    finally:
        os._exit(128 + signum)


if os.path.basename(sys.argv[0] if sys.argv else "") in ("ovc", "ovc.exe", "__main__.py"):
    # the console script or ``python -m openvclosed``: from the first instruction on (not for a
    # library import, e.g. a test runner, whose own Ctrl-C handling stays)
    for _sig in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, _sig):
            signal.signal(getattr(signal, _sig), _interrupted_early)

from typing import Annotated  # noqa: E402

# numpy's OpenBLAS starts one thread per core at import (~50 ms of a short run); ovc's numpy work
# is element-wise, never BLAS, so one thread is enough. A value the user set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# pydantic looks for plugins (an entry-point scan of every installed package) when the first model
# class is built; ovc uses none. A value the user set wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer  # noqa: E402

from openvclosed import __version__  # noqa: E402
from openvclosed.errors import OvcError  # noqa: E402

from openvclosed.commands.options import EPILOG  # noqa: E402

_app = typer.Typer(
    name="ovc",
    help="openvclosed: should this LLM workload pay a closed API, a hosted open-weight API, or run open "
         "weights on its own GPUs? Cost, VRAM fit, throughput and break-even, from cited catalogs.\n\n\b\nExamples:\n  ovc breakeven --tokens 5e8 --gpu 2x4090\n  ovc init workload.yaml && ovc recommend workload.yaml\n  ovc catalog gpus",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _err(msg: str) -> None:
    sys.stderr.write(f"ovc: error: {msg}\n".replace("##[", "##\\["))


class _NoLegacyCommand:
    """A text stream that breaks the legacy workflow-command form ``##[`` in everything written
    through it (report/escape.py does it per channel; this is the net under stdout and stderr, where
    the CI runner acts on it anywhere in a line). JSON is escaped before (``##\\u005b``), so
    this never changes a JSON document."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        if isinstance(text, str) and "##[" in text:
            self._stream.write(text.replace("##[", "##\\["))
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _version(value: bool):
    if value:
        typer.echo(f"ovc {__version__}")
        raise typer.Exit(0)


@_app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    pass


_PARTS: dict[str, tuple[list, list]] = {}
"""Each command module's typer commands and groups, registered once into a scratch app."""

_MODULES_OF = {"breakeven": ("breakeven",), "fit": ("fit",), "catalog": ("catalog", "catalog_import"),
               "recommend": ("recommend",), "schema": ("recommend",), "init": ("recommend",), "check": ("check",),
               "usage": ("usage",), "sweep": ("sweep",), "plot": ("plot",), "report": ("report",), "emit": ("emit",),
               "calibrate": ("calibrate",)}
"""Command name -> the modules that define it (start-up: a run builds only the command it runs;
a test checks this table against the modules)."""


def _register_command_modules(only: tuple[str, ...] | None = None) -> None:
    """Give the app the commands of ``only`` (module names) or of every module, in the order of
    ``COMMAND_MODULES`` (so help texts never depend on what ran before in the process)."""
    import importlib

    from openvclosed.commands import COMMAND_MODULES

    commands, groups = [], []
    for name in COMMAND_MODULES:
        if only is not None and name not in only:
            continue
        if name not in _PARTS:
            scratch = typer.Typer()
            importlib.import_module(f"openvclosed.commands.{name}").register(scratch)
            _PARTS[name] = (scratch.registered_commands, scratch.registered_groups)
        commands += _PARTS[name][0]
        groups += _PARTS[name][1]
    _app.registered_commands[:] = commands
    _app.registered_groups[:] = groups


def _register_for(args: list[str]) -> None:
    """Only the invoked command's module when the first argument names one; else all (help, typos)."""
    first = args[0] if args else ""
    _register_command_modules(_MODULES_OF.get(first))


def __getattr__(name: str):
    """``openvclosed.cli.app``: the typer app with every command (for scripts and CliRunner)."""
    if name == "app":
        _register_command_modules()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _one_line(e: BaseException) -> str:
    from openvclosed.report.text import term

    return term(str(e) or type(e).__name__)


def _quiet_warnings() -> None:
    """Python warnings (numpy overflow, matplotlib font notices, deprecations in libraries) as one
    ``ovc: warning:`` line each, never with the file path and source line of a library."""
    import warnings

    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = f"{getattr(category, '__name__', 'Warning')}: {_one_line(message)}"[:200]
        if text in seen:
            return
        seen.add(text)
        try:
            sys.stderr.write(f"ovc: warning: {text}\n")
        except (OSError, ValueError):
            pass

    warnings.showwarning = show
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)


def _quiet_stdout() -> None:
    """After a broken pipe: nothing more goes to stdout (not even the flush at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    try:
        sys.stdout = open(os.devnull, "w")
    except OSError:
        pass


class Signalled(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so every writer's cleanup (``finally``) runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_SIGNALLED: list[int] = []


def _raise_signalled(signum, frame):
    _SIGNALLED.append(signum)
    raise Signalled(signum)


def _install_signal_handlers() -> dict:
    """SIGINT raises KeyboardInterrupt, SIGTERM and SIGHUP raise :class:`Signalled`: temporary files
    are removed the same way for all three. Returns the previous handlers (restored by ``main``)."""
    old = {}
    for name, handler in (("SIGINT", signal.default_int_handler), ("SIGTERM", _raise_signalled),
                          ("SIGHUP", _raise_signalled)):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            old[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread (an embedding host)
            pass
    return old


def _restore_signal_handlers(old: dict) -> None:
    for sig, handler in old.items():
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError, TypeError):
            pass


def _interrupt_code(e: BaseException | None) -> int:
    return 128 + e.signum if isinstance(e, Signalled) else 130


def main(argv: list[str] | None = None) -> None:
    """Console entry point and the one error boundary.

    Project errors, OS errors (unreadable files, a full disk, a bad $GITHUB_STEP_SUMMARY),
    memory, recursion, decoding and compression errors become one line on stderr and exit 2;
    usage errors (unknown option, value of the wrong type) too; exit 1 only for a failed
    check; Ctrl-C says "interrupted" and exits 130; a closed pipe exits quietly.
    """
    old = _install_signal_handlers()
    _SIGNALLED.clear()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _NoLegacyCommand(sys.stdout), _NoLegacyCommand(sys.stderr)
    try:
        _main(argv)
    finally:
        if isinstance(sys.stdout, _NoLegacyCommand):  # not replaced after a broken pipe
            sys.stdout = streams[0]
        sys.stderr = streams[1]
        _restore_signal_handlers(old)


_NAME_FLAGS = ("--model", "-m", "--gpu", "-g", "--api", "-a", "--workload")
"""Options whose value names a catalog entry or workload: an empty one would quietly mean the default."""


def _refuse_empty_names(args: list[str]) -> None:
    for i, a in enumerate(args):
        if a == "--":
            return
        flag, eq, value = a.partition("=")
        if flag in _NAME_FLAGS and flag.startswith("--") and eq and not value.strip():
            raise OvcError(f"{flag}: an empty name; give an id (ovc catalog ... lists them)")
        if a in _NAME_FLAGS and i + 1 < len(args) and not args[i + 1].strip():
            raise OvcError(f"{a}: an empty name; give an id (ovc catalog ... lists them)")


def _main(argv: list[str] | None) -> None:
    import zlib

    try:
        invoked = [str(x) for x in (sys.argv[1:] if argv is None else argv)]
        _refuse_empty_names(invoked)
        _quiet_warnings()
        _register_for(invoked)
        rv = _app(args=argv, prog_name="ovc", standalone_mode=False, obj={"argv": invoked})
        if rv == 130:  # typer turns Ctrl-C inside a command into Exit(130); no command returns 130
            raise Signalled(_SIGNALLED[-1]) if _SIGNALLED else KeyboardInterrupt
    except SystemExit as e:  # typer exits 1 itself on a broken pipe: that is not "check failed"
        if isinstance(e.__context__, BrokenPipeError) or (
                isinstance(e.__context__, OSError) and getattr(e.__context__, "errno", None) == 32):
            _quiet_stdout()
            sys.exit(0)
        raise
    except KeyboardInterrupt as e:
        _err("interrupted" if not isinstance(e, Signalled) else f"terminated (signal {e.signum})")
        sys.exit(_interrupt_code(e))
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(0)
    except OvcError as e:
        _err(_one_line(e))
        sys.exit(e.exit_code)
    except (OSError, MemoryError, RecursionError, UnicodeError, zlib.error, EOFError, OverflowError) as e:
        what = {MemoryError: "out of memory", RecursionError: "input nested too deeply"}.get(type(e))
        if isinstance(e, OSError) and e.filename:
            what = f"{e.filename}: {e.strerror or e}"
        _err(what or f"{type(e).__name__}: {_one_line(e)}")
        sys.exit(2)
    except Exception as e:  # click's UsageError/BadParameter, vendored by typer: duck-typed; else a bug
        if type(e).__name__ == "Abort":  # click turns Ctrl-C and EOFError inside a command into Abort
            if isinstance(e.__cause__, KeyboardInterrupt) or e.__cause__ is None:
                sig = isinstance(e.__cause__, Signalled)
                _err(f"terminated (signal {e.__cause__.signum})" if sig else "interrupted")
                sys.exit(_interrupt_code(e.__cause__))
            _err(f"unexpected end of input ({_one_line(e.__cause__)})")
            sys.exit(2)
        if not (hasattr(e, "format_message") and isinstance(getattr(e, "exit_code", None), int)):
            if os.environ.get("OVC_DEBUG"):
                raise
            _err(f"internal error ({type(e).__name__}: {_one_line(e)[:300]}); please report it with the command "
                 f"you ran (OVC_DEBUG=1 shows the traceback)")
            sys.exit(2)
        ctx = getattr(e, "ctx", None)
        if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:
            sys.stdout.write(ctx.get_help() + "\n")
            sys.exit(0)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        _err(e.format_message().replace("\n", " ") + hint)
        sys.exit(e.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)
