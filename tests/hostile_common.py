"""What the hostile-input test files share: the base module (tests/test_hostile.py, loaded once under
one name) and a small usage log."""

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("hostile_base", Path(__file__).with_name("test_hostile.py"))
if "hostile_base" in sys.modules:
    H = sys.modules["hostile_base"]
else:
    H = importlib.util.module_from_spec(_spec)
    sys.modules["hostile_base"] = H
    _spec.loader.exec_module(H)
assert_clean, NO_STALE = H.assert_clean, H.NO_STALE

HEAD = "timestamp,model,input_tokens,output_tokens\n"
ROWS = "".join(f"2026-01-{d:02d}T{h:02d}:00:00Z,gpt-4o,{1000 + h},{200 + d}\n" for d in range(1, 4) for h in (3, 15))
