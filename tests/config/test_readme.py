"""The README's configuration table names every variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    read = set()
    for settings_file in (ROOT / "config" / "settings").glob("*.py"):
        read |= set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', settings_file.read_text()))
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert read, "no environment variables found; did the settings move?"
    assert read - documented == set()


def test_readme_opens_with_the_two_commands():
    opening = (ROOT / "README.md").read_text()[:400]
    assert "make run" in opening
    assert "make test" in opening
