"""Download a known public dataset: resumable (HTTP Range), size and sha256 checked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.exceptions import ChunkedEncodingError

from musaic.errors import UnprocessableError, UpstreamError

CHUNK_BYTES = 1 << 14


class FetchError(UpstreamError):
    """The dataset could not be downloaded (network failure or an unexpected HTTP answer)."""

    code = "fetch_failed"


class ChecksumError(UnprocessableError):
    """The downloaded file does not have the expected size or sha256; it was deleted."""

    code = "checksum_mismatch"


@dataclass(frozen=True)
class Dataset:
    """A public dataset Musaic knows how to download and import."""

    name: str
    url: str
    filename: str
    size: int
    sha256: str
    format: str


DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            name="tidytuesday-spotify-songs",
            url="https://raw.githubusercontent.com/rfordatascience/tidytuesday/master/data/"
            "2020/2020-01-21/spotify_songs.csv",
            filename="spotify_songs.csv",
            size=7_971_379,
            sha256="9902920cfe4940f0914ebb6716801a42f7f19ac88fbd6693eaae7e2822b16845",
            format="tidytuesday",
        ),
    )
}


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _download_into(
    part: Path, url: str, size: int, progress: Callable[[int], object] | None, timeout: float
) -> None:
    offset = part.stat().st_size if part.exists() else 0
    if offset >= size:
        return
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    with requests.get(url, headers=headers, stream=True, timeout=timeout) as response:
        if response.status_code == 200:
            offset = 0  # the server ignored the Range header: start again
        elif response.status_code != 206:
            raise FetchError(f"{url}: HTTP {response.status_code}")
        with part.open("ab" if offset else "wb") as handle:
            for chunk in response.iter_content(CHUNK_BYTES):
                offset += handle.write(chunk)
                if progress is not None:
                    progress(len(chunk))
                if offset > size:
                    break


def download(
    dataset: Dataset,
    dest_dir: Path,
    *,
    url: str | None = None,
    progress: Callable[[int], object] | None = None,
    attempts: int = 3,
    timeout: float = 30.0,
) -> Path:
    """Download `dataset` into `dest_dir` (resuming a .part file) and return the checked file.

    Raises:
        FetchError: the server kept failing, or answered neither 200 nor 206.
        ChecksumError: the file has the wrong size or sha256 (the .part file is deleted).
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / dataset.filename
    if final.exists() and final.stat().st_size == dataset.size and _digest(final) == dataset.sha256:
        return final
    part = final.with_name(final.name + ".part")
    source = url or dataset.url
    for attempt in range(1, attempts + 1):
        try:
            _download_into(part, source, dataset.size, progress, timeout)
            break
        except (requests.ConnectionError, requests.Timeout, ChunkedEncodingError) as exc:
            if attempt == attempts:
                raise FetchError(
                    f"{source}: download failed after {attempts} attempts ({exc})"
                ) from exc
        except requests.RequestException as exc:
            raise FetchError(f"{source}: download failed ({exc})") from exc
    found_size = part.stat().st_size if part.exists() else 0
    if found_size != dataset.size or _digest(part) != dataset.sha256:
        part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{source}: the download does not match the expected size ({dataset.size} bytes) and "
            f"sha256 ({dataset.sha256}); got {found_size} bytes. The file was not kept."
        )
    part.replace(final)
    return final
