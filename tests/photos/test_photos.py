"""load_digit on photos of real MNIST digits (tests/digit_photos.py):
each effect alone, then 200 phone-style photos."""

import io

import numpy as np
import pytest
from edgevae.runtime import Encoder, Generator, load_digit
from PIL import Image

from helpers import run_cli
from testkit.digit_classifier import classify
from testkit.digit_photos import STORED, page, photo_set

AGREEMENT_GOAL = 0.85  # the goal; the clean scans of the same digits reach about 0.92


@pytest.fixture(scope="module")
def models():
    return Encoder(), Generator()


def reconstructed_class(models, classifier, digits) -> np.ndarray:
    encoder, generator = models
    return classify(classifier, generator.generate(encoder.encode(np.asarray(digits))[0]))


def first(mnist, digit: int) -> np.ndarray:
    return mnist.x_test[int(np.flatnonzero(mnist.y_test == digit)[0])]


def assert_reads_like(picture, digit, tolerance=0.06):
    """The photo's 28x28 is the clean digit's, up to the pen's edges."""
    difference = np.abs(load_digit(picture) - load_digit(digit)).mean()
    assert difference < tolerance, difference


def test_a_clean_mnist_digit_keeps_its_exact_mnist_form(mnist, tmp_path, models):
    """PNG, uint8 and float copies of 300 test digits read identically:
    the scan path, untouched by the photo steps."""
    digits = mnist.x_test[:300]
    from_png, from_uint8, from_float = [], [], []
    for index, digit in enumerate(digits):
        Image.fromarray(digit).save(tmp_path / f"{index}.png")
        from_png.append(load_digit(tmp_path / f"{index}.png"))
        from_uint8.append(load_digit(digit))
        from_float.append(load_digit(digit / 255.0))
    np.testing.assert_array_equal(np.stack(from_png), np.stack(from_uint8))
    encoder, _ = models
    codes = encoder.encode(np.stack(from_png))[0]
    np.testing.assert_allclose(encoder.encode(np.stack(from_float))[0], codes, atol=1e-6)
    # MNIST form is a fixed point, up to the re-crop: load_digit hardly moves an MNIST digit.
    assert np.abs(np.stack(from_png) - digits / 255).mean() < 0.04


def test_exif_rotated_photo_is_read_upright(mnist, tmp_path):
    seven = first(mnist, 7)
    upright = Image.fromarray(page(seven))
    upright.save(tmp_path / "upright.jpg", quality=90)
    for orientation, transpose in STORED.items():
        exif = Image.Exif()
        exif[0x0112] = orientation
        upright.transpose(transpose).save(
            tmp_path / f"stored-{orientation}.jpg", quality=90, exif=exif.tobytes()
        )
        read = load_digit(tmp_path / f"stored-{orientation}.jpg")
        assert np.abs(read - load_digit(tmp_path / "upright.jpg")).mean() < 0.02, orientation
        ignored = load_digit(
            np.asarray(Image.open(tmp_path / f"stored-{orientation}.jpg"))
        )  # pixels only, no tag
        assert np.abs(ignored - read).mean() > 0.1, orientation


def test_a_shadow_across_the_digit_is_not_taken_for_ink(mnist):
    for digit in (first(mnist, 7), first(mnist, 3)):
        assert_reads_like(page(digit, shadow=True), digit)


def test_a_desk_along_the_border_is_dropped(mnist):
    for digit in (first(mnist, 7), first(mnist, 0)):
        picture = page(digit, desk=True)
        assert picture[5, 5].mean() < 100  # the desk really is there, dark, in the corner
        assert_reads_like(picture, digit)


def test_a_thin_one_cropped_tightly_is_not_blank(mnist):
    ones = np.flatnonzero(mnist.y_test == 1)
    thin = ones[np.argsort(mnist.x_test[ones].reshape(len(ones), -1).sum(axis=1))[20:200:30]]
    for index in thin:
        picture = page(mnist.x_test[index], crop=True)
        assert picture.shape[1] < picture.shape[0] / 2  # the crop is the stroke and little else
        read = load_digit(picture)
        rows, columns = np.nonzero(read > 0.5)
        assert np.ptp(rows) >= 17  # a tall stroke filling the box, not a blank or a speck
        assert np.abs(read - load_digit(mnist.x_test[index])).mean() < 0.06


def test_every_input_type_reads_the_same_photo(mnist, tmp_path):
    picture = page(first(mnist, 4), shadow=True)
    Image.fromarray(picture).save(tmp_path / "four.png")
    reference = load_digit(tmp_path / "four.png")
    with open(tmp_path / "four.png", "rb") as file:
        same = [
            load_digit(str(tmp_path / "four.png")),
            load_digit(Image.open(tmp_path / "four.png")),
            load_digit(picture),
            load_digit(picture / 255.0),
            load_digit(file),
            load_digit(io.BytesIO((tmp_path / "four.png").read_bytes())),
        ]
    for read in same:
        np.testing.assert_allclose(read, reference, atol=1e-6)


def test_photo_to_clean_agreement(mnist, classifier, models):
    """The issue's measure:
    the class of the reconstruction from each photo against that from the clean digit."""
    indices, photos, scans = photo_set(mnist.x_test, count=200, seed=0)
    clean = reconstructed_class(models, classifier, mnist.x_test[indices])
    from_photos = reconstructed_class(models, classifier, [load_digit(io.BytesIO(data)) for data in photos])
    from_scans = reconstructed_class(models, classifier, [load_digit(io.BytesIO(data)) for data in scans])
    assert (from_scans == clean).mean() >= 0.88
    assert (from_photos == clean).mean() >= AGREEMENT_GOAL


def test_encode_show_input_saves_what_the_model_saw(mnist, tmp_path):
    Image.fromarray(page(first(mnist, 2), shadow=True, desk=True)).save(tmp_path / "photo.jpg", quality=85)
    Image.fromarray(first(mnist, 5)).save(tmp_path / "five.png")
    result = run_cli("encode", tmp_path / "photo.jpg", "--show-input", tmp_path / "seen.png")
    assert result.returncode == 0, result.stderr
    seen = np.asarray(Image.open(tmp_path / "seen.png"))
    np.testing.assert_array_equal(seen, np.round(load_digit(tmp_path / "photo.jpg") * 255))
    result = run_cli(
        "encode", tmp_path / "photo.jpg", tmp_path / "five.png", "--show-input", tmp_path / "row.png"
    )
    assert result.returncode == 0, result.stderr
    row = np.asarray(Image.open(tmp_path / "row.png"))
    assert row.shape == (32, 62)  # two 28x28 digits side by side, 2-pixel padding
    np.testing.assert_array_equal(row[2:30, 32:60], np.round(load_digit(tmp_path / "five.png") * 255))
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "five.png",
        "photo.jpg",
        "row.png",
        "seen.png",
    ]
