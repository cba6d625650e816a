"""render's fast path for scalars writes exactly what PyYAML's emitter writes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from k8slint.lint.kustomize.render import _dumped, _scalar

WORDS = st.from_regex(r"[A-Za-z_/][A-Za-z0-9_./-]{0,12}", fullmatch=True)
TRICKY = st.sampled_from(
    ["true", "False", "yes", "NO", "on", "Off", "null", "Null", "~", "y", "n", "nan", ".inf",
     "1.0", "0x1F", "1e3", "12:30", "2024-01-01", "_", "/", "a:b", "a b", "-a", ".env", "<<",
     "", " lead", "trail ", "multi\nline", "#x", "a#b", "a: b", "@x", "'q'", '"q"', "é"]
)  # fmt: skip


@settings(max_examples=300, derandomize=True)
@given(st.one_of(WORDS, TRICKY, st.text(max_size=12)))
def test_strings_render_as_pyyaml_writes_them(value: str) -> None:
    assert _scalar(value) == _dumped(value)


@settings(max_examples=100, derandomize=True)
@given(st.one_of(st.none(), st.booleans(), st.integers()))
def test_other_scalars_render_as_pyyaml_writes_them(value: object) -> None:
    assert _scalar(value) == _dumped(value)
