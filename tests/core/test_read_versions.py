"""Values kept in the process under a read version (apps.core.read_versions)."""

from apps.core import read_versions
from apps.core.read_versions import kept_in_process


def test_a_value_is_kept_per_company_and_version(monkeypatch):
    monkeypatch.setattr(read_versions, "_process_kept", type(read_versions._process_kept)())
    made = []

    def compute(value):
        def make():
            made.append(value)
            return value

        return make

    assert kept_in_process("n", 1, "v1", compute("a")) == "a"
    assert kept_in_process("n", 1, "v1", compute("b")) == "a"  # kept
    assert kept_in_process("n", 2, "v1", compute("c")) == "c"  # another company
    assert kept_in_process("n", 1, "v2", compute("d")) == "d"  # a write: a new version
    assert kept_in_process("n", 1, None, compute("e")) == "e"  # no version: computed
    assert kept_in_process("n", 1, None, compute("f")) == "f"
    assert made == ["a", "c", "d", "e", "f"]


def test_only_the_most_recently_used_are_kept(monkeypatch):
    monkeypatch.setattr(read_versions, "_process_kept", type(read_versions._process_kept)())
    monkeypatch.setattr(read_versions, "PROCESS_KEPT", 2)
    kept_in_process("n", 1, "v", lambda: 1)
    kept_in_process("n", 2, "v", lambda: 2)
    kept_in_process("n", 1, "v", lambda: "again")  # used: now the most recent
    kept_in_process("n", 3, "v", lambda: 3)  # pushes company 2's out
    assert kept_in_process("n", 1, "v", lambda: "again") == 1
    assert kept_in_process("n", 2, "v", lambda: "afresh") == "afresh"
    assert len(read_versions._process_kept) == 2
