"""Exit 1 unless two wheels hold the same files with the same bytes (what `make test-dist` checks:
the sdist builds the same wheel as the tree). Prints the wheel's size and contents."""

import hashlib
import sys
import zipfile
from pathlib import Path


def contents(wheel: Path) -> dict[str, tuple[int, str]]:
    with zipfile.ZipFile(wheel) as archive:
        return {
            info.filename: (info.file_size, hashlib.sha256(archive.read(info)).hexdigest())
            for info in archive.infolist()
        }


def main(first: Path, second: Path) -> int:
    a, b = contents(first), contents(second)
    differing = sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))
    if differing:
        print(f"{first} and {second} differ in: {', '.join(differing)}", file=sys.stderr)
        return 1
    print(f"{second.name}: {second.stat().st_size:,} bytes, {len(b)} files, the same as {first}")
    for name, (size, _) in sorted(b.items()):
        print(f"  {size:>9,}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
