"""The map matches the territory: README's Layout names every top-level module
and package of legacy/ (and nothing that is not there), docs/README.md lists
every guide, docs/ holds only guides and records/, and every relative link of
every committed Markdown file resolves. Reads files only; the checks of
committed files skip where there is no git checkout (the docker image, whose
.dockerignore leaves docs/ out)."""
import os
import re
import subprocess

import pytest

from conftest import REPO

LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _section(path, heading):
    text = open(os.path.join(REPO, path), encoding="utf-8").read()
    start = text.index("\n## %s\n" % heading)
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


def _tracked(pattern):
    try:
        out = subprocess.check_output(["git", "-C", REPO, "ls-files", "--", pattern], stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout (the docker image has no .git)")
    return out.decode("utf-8").split()


def legacy_entries():
    """Top-level modules (name.py) and packages (name/) of legacy/."""
    root = os.path.join(REPO, "legacy")
    out = set()
    for name in os.listdir(root):
        full = os.path.join(root, name)
        if name.endswith(".py"):
            out.add("legacy/" + name)
        elif os.path.isfile(os.path.join(full, "__init__.py")):
            out.add("legacy/%s/" % name)
    return out


def layout_entries(section):
    return set(re.findall(r"^- `(legacy/[a-z_]+(?:\.py|/))`:", section, re.M))


def test_readme_layout_names_every_module_and_package_of_legacy():
    section = _section("README.md", "Layout")
    named, present = layout_entries(section), legacy_entries()
    assert present - named == set(), "in legacy/ but not in README's Layout: %s" % sorted(present - named)
    assert named - present == set(), "in README's Layout but not in legacy/: %s" % sorted(named - present)


def test_layout_check_fails_on_a_missing_or_stale_line():
    """The check above can fail: README's Layout without one line, or with a module that does not exist."""
    section = _section("README.md", "Layout")
    dropped = "\n".join(line for line in section.splitlines() if not line.startswith("- `legacy/train.py`"))
    assert "legacy/train.py" in legacy_entries() - layout_entries(dropped)
    stale = section + "\n- `legacy/config.py`: the old name.\n"
    assert layout_entries(stale) - legacy_entries() == {"legacy/config.py"}


def test_readme_layout_names_every_top_level_folder():
    section = _section("README.md", "Layout")
    folders = {path.split("/")[0] for path in _tracked(".") if "/" in path}
    named = set(re.findall(r"^- `([.a-z_]+)/`:", section, re.M))
    assert folders - {"legacy"} - named == set(), "top-level folders missing from README's Layout"
    assert named - folders == set()


def test_docs_index_lists_every_guide():
    guides = {p[len("docs/"):] for p in _tracked("docs/*.md") if p.count("/") == 1} - {"README.md"}
    index = open(os.path.join(REPO, "docs", "README.md"), encoding="utf-8").read()
    listed = set(re.findall(r"^\| \[([a-z0-9_]+\.md)\]\(\1\) \|", index, re.M))
    assert guides - listed == set(), "guides missing from docs/README.md"
    assert listed - guides == set(), "docs/README.md lists guides that do not exist"


def test_docs_holds_only_guides_and_records():
    """Run records live under docs/records/<topic>/, not beside the guides."""
    loose = [p for p in _tracked("docs") if not p.startswith("docs/records/")
             and not re.match(r"^docs/[A-Za-z0-9_]+\.md$", p)]
    assert loose == []


def test_every_relative_link_in_markdown_resolves():
    broken = []
    for path in _tracked("*.md"):
        text = open(os.path.join(REPO, path), encoding="utf-8").read()
        for match in LINK.finditer(text):
            target = match.group(1)
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            full = os.path.normpath(os.path.join(REPO, os.path.dirname(path), target.split("#")[0]))
            if not os.path.exists(full):
                broken.append("%s: %s" % (path, target))
    assert broken == []
