"""fileio: capped regular-file readers and safe atomic writers."""

import csv
import os
import stat
import sys
import threading

import pytest

from openvclosed import fileio
from openvclosed.errors import InputError
from openvclosed.fileio import (atomic_write_text, input_file_size, read_input_bytes, read_input_text,
                                safe_write_bytes, safe_write_text, write_stream_atomic)

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX file types")
as_root = hasattr(os, "geteuid") and os.geteuid() == 0


def leftovers(d):
    """Temporary files a writer left behind in directory ``d``."""
    return sorted(p.name for p in d.iterdir() if p.name.endswith(".tmp"))


def one_line(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg and "\r" not in msg
    return msg


def within(seconds, fn, release=None):
    """Run ``fn`` in a thread; fail (and call ``release`` to unblock it) if it takes too long."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        if release:
            release()
        pytest.fail(f"did not return within {seconds}s (would hang)")
    if "error" in box:
        raise box["error"]
    return box.get("value")


# --------------------------------------------------------------------------------------------
# readers


@posix_only
def test_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "w.yaml"
    os.mkfifo(fifo)

    def release():  # a writer unblocks a reader stuck in open()
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)

    for fn in (lambda: read_input_bytes(fifo, "a YAML file", 100),
               lambda: read_input_text(fifo, "a YAML file", 100),
               lambda: input_file_size(fifo, "a usage log")):
        with pytest.raises(InputError) as e:
            within(5, fn, release)
        assert "is a named pipe (FIFO)" in one_line(e) and str(fifo) in str(e.value)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("fn", [
    lambda: read_input_bytes("/dev/zero", "a YAML file", 1_000_000),
    lambda: input_file_size("/dev/zero", "a YAML file"),
])
def test_dev_zero_refused_quickly(fn):
    with pytest.raises(InputError) as e:
        within(5, fn)
    assert one_line(e) == ("/dev/zero: is a character device, expected a YAML file "
                           "(only regular files are read)")


@posix_only
def test_symlink_to_device_refused(tmp_path):
    link = tmp_path / "w.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="is a character device"):
        within(5, lambda: read_input_bytes(link, "a YAML file", 10))


def test_directory_refused(tmp_path):
    with pytest.raises(InputError) as e:
        read_input_bytes(tmp_path, "a YAML file", 10)
    assert one_line(e) == f"{tmp_path}: is a directory, expected a YAML file (only regular files are read)"
    with pytest.raises(InputError, match="is a directory"):
        input_file_size(tmp_path, "a usage log")


@pytest.mark.parametrize("name", ["missing.yaml", "not-a-dir.txt/inner.yaml"])
def test_missing_file(tmp_path, name):
    (tmp_path / "not-a-dir.txt").write_text("x")
    with pytest.raises(InputError) as e:
        read_input_bytes(tmp_path / name, "a YAML file", 10)
    assert one_line(e) == f"{tmp_path / name}: no such file"


def test_dangling_symlink_is_missing(tmp_path):
    link = tmp_path / "w.yaml"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(InputError, match="no such file"):
        read_input_bytes(link, "a YAML file", 10)


@pytest.mark.skipif(as_root or sys.platform == "win32", reason="root reads anything")
def test_unreadable_file(tmp_path):
    p = tmp_path / "secret.yaml"
    p.write_text("a: 1\n")
    p.chmod(0)
    try:
        with pytest.raises(InputError) as e:
            read_input_bytes(p, "a YAML file", 100)
        assert one_line(e) == f"{p}: cannot read (Permission denied)"
    finally:
        p.chmod(0o600)


@pytest.mark.parametrize("size,ok", [(0, True), (9, True), (10, True), (11, False), (5000, False)])
def test_cap(tmp_path, size, ok):
    p = tmp_path / "f.bin"
    p.write_bytes(b"x" * size)
    if ok:
        assert read_input_bytes(p, "a file", 10) == b"x" * size
    else:
        with pytest.raises(InputError) as e:
            read_input_bytes(p, "a usage log", 10, flag="--max-bytes")
        assert one_line(e) == f"{p}: {size:,} bytes is over the 10-byte limit for a usage log; raise the limit with --max-bytes"


def test_cap_holds_when_the_file_grows_after_stat(tmp_path, monkeypatch):
    """Reads stop at cap + 1 bytes even if stat said the file was small."""
    p = tmp_path / "f.bin"
    p.write_bytes(b"y" * 100_000)
    real_stat = fileio._stat_input

    def small_stat(path, label):
        st = real_stat(path, label)
        return os.stat_result((st.st_mode, *st[1:6], 5, *st[7:]))

    reads = []
    real_fdopen = os.fdopen

    class Spy:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

        def fileno(self):
            return self.fh.fileno()

        def read(self, n):
            reads.append(n)
            return self.fh.read(n)

    monkeypatch.setattr(fileio, "_stat_input", small_stat)
    monkeypatch.setattr(fileio.os, "fdopen", lambda fd, mode: Spy(real_fdopen(fd, mode)))
    with pytest.raises(InputError) as e:
        read_input_bytes(p, "a YAML file", 10)
    assert reads == [11]
    assert one_line(e) == f"{p}: it is over the 10-byte limit for a YAML file"


def test_read_text_utf8(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_bytes("name: café\r\n".encode())
    assert read_input_text(p, "a YAML file", 100) == "name: café\r\n"
    p.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InputError) as e:
        read_input_text(p, "a YAML file", 100)
    assert one_line(e) == f"{p}: not UTF-8 text (invalid byte at offset 9); expected a YAML file"


def test_input_file_size_regular(tmp_path):
    p = tmp_path / "u.csv"
    p.write_bytes(b"abc")
    assert input_file_size(p, "a usage log") == 3
    link = tmp_path / "link.csv"
    link.symlink_to(p)
    assert input_file_size(link, "a usage log") == 3


# --------------------------------------------------------------------------------------------
# writers


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_file_written_with_umask_mode(tmp_path, umask022):
    p = tmp_path / "out.md"
    safe_write_text(p, "hello\n")
    assert p.read_text() == "hello\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_bytes_exact(tmp_path):
    p = tmp_path / "out.bin"
    data = bytes(range(256)) + b"\r\n\x00"
    safe_write_bytes(p, data)
    assert p.read_bytes() == data


def test_existing_needs_force(tmp_path):
    p = tmp_path / "out.md"
    p.write_text("old")
    with pytest.raises(InputError) as e:
        safe_write_text(p, "new")
    assert one_line(e) == f"--output {p}: exists; pass --force to replace it"
    assert p.read_text() == "old" and leftovers(tmp_path) == []
    safe_write_text(p, "new", force=True)
    assert p.read_text() == "new"


def test_what_names_the_option(tmp_path):
    p = tmp_path / "b.json"
    p.write_text("{}")
    with pytest.raises(InputError) as e:
        safe_write_text(p, "x", what="--write-baseline")
    assert one_line(e) == f"--write-baseline {p}: exists; pass --force to replace it"


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640, 0o755])
def test_mode_kept_on_replace(tmp_path, mode, umask022):
    p = tmp_path / "out.csv"
    p.write_text("old")
    p.chmod(mode)
    safe_write_text(p, "new", force=True)
    assert p.read_text() == "new" and stat.S_IMODE(p.stat().st_mode) == mode


@pytest.mark.parametrize("force", [False, True])
def test_symlink_target_refused(tmp_path, force):
    real = tmp_path / "real.txt"
    real.write_text("keep")
    link = tmp_path / "out.md"
    link.symlink_to(real)
    with pytest.raises(InputError) as e:
        safe_write_text(link, "pwned", force=force)
    assert one_line(e).startswith(f"--output {link}: is a symbolic link; refusing to write through it")
    assert real.read_text() == "keep" and link.is_symlink() and leftovers(tmp_path) == []


def test_dangling_symlink_target_refused(tmp_path):
    link = tmp_path / "out.md"
    link.symlink_to(tmp_path / "would-be-created")
    with pytest.raises(InputError, match="is a symbolic link"):
        safe_write_text(link, "x", force=True)
    assert not (tmp_path / "would-be-created").exists()


@pytest.mark.parametrize("spelling", ["same", "dotted", "hardlink", "symlink"])
def test_never_overwrites_an_input(tmp_path, spelling):
    inp = tmp_path / "w.yaml"
    inp.write_text("workloads: []\n")
    if spelling == "same":
        other = inp
    elif spelling == "dotted":
        (tmp_path / "sub").mkdir()
        other = tmp_path / "sub" / ".." / "w.yaml"
    elif spelling == "hardlink":
        other = tmp_path / "hard.yaml"
        os.link(inp, other)
    else:
        other = tmp_path / "soft.yaml"
        other.symlink_to(inp)
    with pytest.raises(InputError) as e:
        safe_write_text(inp, "x", force=True, inputs=[other])
    assert one_line(e).startswith(f"--output {inp}: is also an input ({other}); refusing to overwrite it")
    assert inp.read_text() == "workloads: []\n"


def test_other_inputs_do_not_block(tmp_path):
    inp = tmp_path / "w.yaml"
    inp.write_text("a")
    safe_write_text(tmp_path / "out.md", "x", inputs=[inp, None, tmp_path / "missing.yaml"])
    assert (tmp_path / "out.md").read_text() == "x"


def test_missing_directory(tmp_path):
    p = tmp_path / "nope" / "out.md"
    with pytest.raises(InputError) as e:
        safe_write_text(p, "x")
    assert one_line(e) == f"--output {p}: directory {tmp_path / 'nope'} does not exist"


def test_parent_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    p = tmp_path / "file" / "out.md"
    with pytest.raises(InputError) as e:
        safe_write_text(p, "x")
    assert one_line(e) == f"--output {p}: {tmp_path / 'file'} is not a directory"


@pytest.mark.parametrize("force", [False, True])
def test_directory_target(tmp_path, force):
    d = tmp_path / "out"
    d.mkdir()
    with pytest.raises(InputError) as e:
        safe_write_text(d, "x", force=force)
    assert one_line(e) == f"--output {d}: is a directory; give a file path"
    assert d.is_dir() and leftovers(tmp_path) == []


@posix_only
def test_fifo_target_refused(tmp_path):
    f = tmp_path / "out.md"
    os.mkfifo(f)
    with pytest.raises(InputError, match="is a named pipe"):
        within(5, lambda: safe_write_text(f, "x", force=True))


def test_validate_failure_leaves_target_identical(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_bytes(b"original\n")
    seen = []

    def validate(tmp):
        seen.append((tmp, open(tmp).read()))
        raise InputError("validation failed")

    with pytest.raises(InputError, match="validation failed"):
        safe_write_text(p, "replacement\n", force=True, validate=validate)
    assert seen and seen[0][1] == "replacement\n" and os.path.dirname(seen[0][0]) == str(tmp_path)
    assert p.read_bytes() == b"original\n" and leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["finish_temp", "commit"])
def test_keyboard_interrupt_leaves_target_identical(tmp_path, monkeypatch, where):
    p = tmp_path / "w.yaml"
    p.write_bytes(b"original\n")
    p.chmod(0o640)

    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio._Target, where, interrupt)
    with pytest.raises(KeyboardInterrupt):
        safe_write_text(p, "replacement\n", force=True)
    assert p.read_bytes() == b"original\n" and stat.S_IMODE(p.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_keyboard_interrupt_mid_stream(tmp_path):
    p = tmp_path / "big.csv"
    p.write_text("old,rows\n")
    with pytest.raises(KeyboardInterrupt):
        with write_stream_atomic(p, force=True, newline="") as fh:
            w = csv.writer(fh)
            for i in range(1000):
                w.writerow([i, "x" * 100])
                if i == 500:
                    raise KeyboardInterrupt
    assert p.read_text() == "old,rows\n" and leftovers(tmp_path) == []


def test_stream_writes_on_success(tmp_path):
    p = tmp_path / "big.csv"
    with write_stream_atomic(p, newline="") as fh:
        csv.writer(fh).writerows([["a", "b"], [1, 2]])
        assert not p.exists()  # nothing visible until the block ends
    assert p.read_bytes() == b"a,b\r\n1,2\r\n" and leftovers(tmp_path) == []


def test_stream_binary(tmp_path):
    p = tmp_path / "x.bin"
    with write_stream_atomic(p, binary=True) as fh:
        fh.write(b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"


def test_stream_checks_before_yielding(tmp_path):
    p = tmp_path / "big.csv"
    p.write_text("keep")
    ran = []
    with pytest.raises(InputError, match="exists; pass --force"):
        with write_stream_atomic(p) as fh:
            ran.append(fh)
    assert ran == [] and p.read_text() == "keep"


def test_stream_error_in_body(tmp_path):
    p = tmp_path / "big.csv"
    with pytest.raises(ValueError):
        with write_stream_atomic(p) as fh:
            fh.write("partial")
            raise ValueError("boom")
    assert not p.exists() and leftovers(tmp_path) == []


def test_file_appearing_meanwhile_is_not_replaced(tmp_path):
    """Without --force the final step only creates: a file made after the check survives."""
    p = tmp_path / "out.md"
    with pytest.raises(InputError, match="exists; pass --force"):
        with write_stream_atomic(p) as fh:
            fh.write("ours")
            p.write_text("theirs")
    assert p.read_text() == "theirs" and leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------
# atomic_write_text (kept for existing callers)


def test_atomic_write_text_replaces_and_keeps_mode(tmp_path):
    p = tmp_path / "b.json"
    p.write_text("{}")
    p.chmod(0o600)
    atomic_write_text(p, '{"a": 1}\n')
    assert p.read_text() == '{"a": 1}\n' and stat.S_IMODE(p.stat().st_mode) == 0o600


def test_atomic_write_text_refuses_symlink(tmp_path):
    real = tmp_path / "real"
    real.write_text("keep")
    link = tmp_path / "b.json"
    link.symlink_to(real)
    with pytest.raises(InputError) as e:
        atomic_write_text(link, "x")
    assert one_line(e).startswith(f"{link}: is a symbolic link")
    assert real.read_text() == "keep"


def test_atomic_write_text_messages(tmp_path):
    with pytest.raises(InputError) as e:
        atomic_write_text(tmp_path / "no" / "b.json", "x")
    assert one_line(e) == f"{tmp_path / 'no' / 'b.json'}: directory {tmp_path / 'no'} does not exist"
    with pytest.raises(InputError, match="is a directory"):
        atomic_write_text(tmp_path, "x")


def test_atomic_write_text_validate(tmp_path):
    p = tmp_path / "w.yaml"

    def validate(tmp):
        raise InputError("bad")

    with pytest.raises(InputError, match="bad"):
        atomic_write_text(p, "x", validate)
    assert not p.exists() and leftovers(tmp_path) == []
    atomic_write_text(p, "ok", lambda tmp: None)
    assert p.read_text() == "ok"
