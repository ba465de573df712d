"""The README's fenced code blocks, each with the HTML comment on the line right before it, if any.

A comment says who runs a block that tests/readme/test_readme_snippets.py does not:
    <!-- not run: why -->             nothing can run it here (an install from a registry, a Pi's apt)
    <!-- run by: make test-npm -->    that target picks it out by this marker and runs it

    python3 tests/readme_snippets.py "run by: make test-npm"   # prints that block's code
"""

import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
# A fence may be indented (inside a list); its code loses that indent.
BLOCK = re.compile(r"^(?P<indent> *)```(?P<language>[\w-]*)\n(?P<code>.*?)^ *```$", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"<!--\s*(?P<marker>.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Snippet:
    language: str
    code: str
    marker: str | None  # the comment's text
    line: int  # of the opening fence, 1-based


def readme_snippets(path: Path = README) -> list[Snippet]:
    text = path.read_text()
    snippets = []
    for match in BLOCK.finditer(text):
        before = text[: match.start()].rstrip("\n").rpartition("\n")[2]
        marker = MARKER.fullmatch(before)
        snippets.append(
            Snippet(
                match["language"],
                textwrap.dedent(match["code"]) if match["indent"] else match["code"],
                marker["marker"] if marker else None,
                text.count("\n", 0, match.start()) + 1,
            )
        )
    return snippets


def marked_snippet(marker: str, path: Path = README) -> Snippet:
    found = [snippet for snippet in readme_snippets(path) if snippet.marker == marker]
    if len(found) != 1:
        raise SystemExit(f"{path} has {len(found)} code blocks marked <!-- {marker} -->, not one")
    return found[0]


if __name__ == "__main__":
    print(marked_snippet(sys.argv[1]).code, end="")
