"""Each output decided once: checked against the inputs and the other outputs before any work, and
replaced only when the whole command succeeded."""

import pytest

from helpers import OLD_OUTPUT, assert_clean_failure, cli_case, copy_model, draw_digit, run_cli_in_process


@pytest.fixture
def work(tmp_path, model_dir):
    draw_digit(tmp_path / "a.png")
    (tmp_path / "old.png").write_bytes(OLD_OUTPUT)
    (tmp_path / "old.json").write_bytes(OLD_OUTPUT)
    broken = copy_model(model_dir, tmp_path / "broken")
    (broken / "encoder.onnx").write_bytes(b"\x08garbage" * 100)
    return tmp_path


@pytest.mark.parametrize(
    "args, words",
    [
        cli_case("show-input-kept-when-the-model-fails",
                 "encode a.png --show-input old.png --model-dir broken", "not a valid ONNX model",
                 marks=pytest.mark.subprocess),
        cli_case("both-outputs-kept-when-the-model-fails",
                 "encode a.png --format json --out old.json --show-input old.png --model-dir broken",
                 "not a valid ONNX model"),
        cli_case("show-input-and-out-the-same-file",
                 "encode a.png --format json --out old.png --show-input old.png", "old.png twice"),
        cli_case("show-input-and-out-both-stdout",
                 "encode a.png --format json --out - --show-input /dev/stdout", "twice"),
        cli_case("show-input-over-its-input", "encode a.png --show-input a.png", "also an input"),
        cli_case("digits-random-billion", f"generate --digits --random {10**8} --out old.png",
                 "100,000,000 x 10 = 1,000,000,000", "at most 100,000,000"),
        cli_case("digits-random-npy-bounded", f"generate --digits --random {10**7 + 1} --out x.npy",
                 "at most 100,000,000"),
    ],
)  # fmt: skip
def test_outputs_are_checked_first_and_kept_on_failure(work, cli, args, words):
    assert_clean_failure(cli(*args, cwd=work), *words)
    assert (work / "old.png").read_bytes() == OLD_OUTPUT and (work / "old.json").read_bytes() == OLD_OUTPUT
    assert sorted(path.name for path in work.iterdir()) == ["a.png", "broken", "old.json", "old.png"]


def test_every_output_appears_when_the_command_succeeds(work):
    args = ["encode", "a.png", "--format", "json", "--out", "old.json", "--show-input", "old.png"]
    result = run_cli_in_process(*args, cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "old.png").read_bytes().startswith(b"\x89PNG") and b"z_mean" in (
        work / "old.json"
    ).read_bytes()
