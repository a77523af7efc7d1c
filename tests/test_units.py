import pytest

from openvclosed.errors import InputError
from openvclosed.units import closest, parse_hw_spec, parse_share, parse_tokens


@pytest.mark.parametrize("text,value", [
    ("5e8", 5e8), ("500M", 5e8), ("500m", 5e8), ("1.5B", 1.5e9), ("500_000_000", 5e8), ("20k", 2e4),
    ("0", 0.0), ("2T", 2e12), ("1.5G", 1.5e9), (" 7e6 ", 7e6),
])
def test_parse_tokens(text, value):
    assert parse_tokens(text) == value


@pytest.mark.parametrize("text", ["abc", "-5", "5x", "", "1e400", "M", "nan"])
def test_parse_tokens_rejects(text):
    with pytest.raises(InputError):
        parse_tokens(text)


@pytest.mark.parametrize("text,n,name", [
    ("2x4090", 2, "4090"), ("4xA100-80GB", 4, "a100-80gb"), ("h100", 1, "h100"), ("8xH100", 8, "h100"),
    ("2 x RTX 4090", 2, "rtx-4090"), ("8*h100", 8, "h100"),
])
def test_parse_hw_spec(text, n, name):
    spec = parse_hw_spec(text)
    assert (spec.n_gpus, spec.gpu_name) == (n, name)


@pytest.mark.parametrize("text", ["0x4090", "65xh100", "", "  "])
def test_parse_hw_spec_rejects(text):
    with pytest.raises(InputError):
        parse_hw_spec(text)


def test_parse_share_hints_percent():
    with pytest.raises(InputError, match="did you mean 0.5"):
        parse_share(50, "--utilization")
    assert parse_share(0.25, "x") == 0.25


def test_closest():
    assert closest("9090", ["3090", "4090", "5090", "h100"])[0] in {"3090", "4090", "5090"}
    assert closest("a100", ["a100-40gb", "a100-80gb"])
