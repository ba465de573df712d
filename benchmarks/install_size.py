"""Section 3: installed size of the runtime-only environment against the training environment.

Both are read from this virtual environment: the distributions that edgevae's requirements pull in,
with and without the `train` extra, each sized by the files its install record lists.
"""

from importlib.metadata import PackageNotFoundError, distribution, requires
from pathlib import Path

from edgevae.runtime.model_files import bundled_model_dir
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from benchmarks.tables import table

LARGEST = 12  # rows in the per-distribution table


def closure(requirements: list[str], extras: tuple[str, ...]) -> dict:
    """{name: Distribution} for every installed distribution the requirements pull in, markers applied."""
    found, seen = {}, set()
    pending = [(text, extras) for text in requirements]
    while pending:
        text, active = pending.pop()
        requirement = Requirement(text)
        if requirement.marker and not any(requirement.marker.evaluate({"extra": extra}) for extra in active):
            continue
        key = (canonicalize_name(requirement.name), tuple(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            continue  # optional, or for another platform
        found[key[0]] = dist
        pending += [(child, ("", *requirement.extras)) for child in dist.requires or []]
    return found


def installed_bytes(dist) -> int:
    paths = (Path(dist.locate_file(file)) for file in dist.files or [])
    return sum(path.stat().st_size for path in paths if path.is_file())


def report() -> str:
    edgevae_requires = requires("edgevae") or []
    runtime = closure(edgevae_requires, ("",))
    training = closure(edgevae_requires, ("", "train"))
    sizes = {name: installed_bytes(dist) for name, dist in training.items()}
    runtime_total = sum(sizes[name] for name in runtime)
    training_total = sum(sizes.values())

    def mib(size):
        return f"{size / 2**20:.1f}"

    summary = [
        ["runtime only", "`pip install edgevae`", len(runtime), mib(runtime_total), "1.00x"],
        [
            "training",
            "`pip install edgevae[train]`",
            len(training),
            mib(training_total),
            f"{training_total / runtime_total:.2f}x",
        ],
    ]
    largest = sorted(training, key=sizes.get, reverse=True)
    rows = [
        [
            f"{training[name].metadata['Name']} {training[name].version}",
            mib(sizes[name]),
            "yes" if name in runtime else "no",
        ]
        for name in largest[:LARGEST]
    ]
    rest = largest[LARGEST:]
    if rest:
        rows.append([f"{len(rest)} more", mib(sum(sizes[name] for name in rest)), ""])
    model_bytes = sum(path.stat().st_size for path in bundled_model_dir().glob("*.onnx"))
    return "\n\n".join(
        [
            "## 3. Installed size",
            "The distributions edgevae's requirements pull in (their dependencies included, environment"
            " markers applied), measured in this virtual environment by the files each one's install record"
            " lists. edgevae itself is left out (installed editable here); its bundled model is"
            f" {mib(model_bytes)} MiB.",
            table(["environment", "install", "distributions", "size (MiB)", "vs runtime only"], summary),
            table(["largest distributions (training environment)", "size (MiB)", "in runtime only"], rows),
        ]
    )
