"""The Hugging Face Hub: ``hf-hub:org/repo[@revision]`` references, downloads and uploads.

Downloads go through ``huggingface_hub.hf_hub_download``, so its cache (``HF_HUB_CACHE`` /
``HF_HOME``) and offline mode (``HF_HUB_OFFLINE=1``) apply; ``AVAZOO_OFFLINE=1`` restricts it
to the cache too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import huggingface_hub
from huggingface_hub import constants as hf_constants
from huggingface_hub import utils as hf_utils

from avazoo.errors import AvazooError, DownloadError, OfflineError
from avazoo.hub.cache import offline_flag

__all__ = ["HF_PREFIX", "HubRef", "hf_fetch", "parse_hf_ref", "upload_folder"]

HF_PREFIX = "hf-hub:"
_REPO_ID = re.compile(r"[\w.-]+/[\w.-]+")


@dataclass(frozen=True)
class HubRef:
    """A model repository on the Hub, at a branch, tag or commit (None: the default branch)."""

    repo_id: str
    revision: str | None = None

    def __str__(self) -> str:
        return f"{HF_PREFIX}{self.repo_id}" + (f"@{self.revision}" if self.revision else "")


def parse_hf_ref(ref: str) -> HubRef:
    """Parse ``hf-hub:org/repo`` or ``hf-hub:org/repo@revision``."""
    if not ref.startswith(HF_PREFIX):
        raise ValueError(f"expected a reference like 'hf-hub:org/repo[@revision]', got {ref!r}")
    repo_id, at, revision = ref[len(HF_PREFIX) :].partition("@")
    if not _REPO_ID.fullmatch(repo_id) or (at and not revision):
        raise ValueError(
            f"expected a reference like 'hf-hub:org/repo[@revision]', got {ref!r}: the "
            "repository must be 'org/name' (letters, digits, '-', '_', '.')"
        )
    return HubRef(repo_id, revision or None)


def hf_fetch(ref: HubRef, file_name: str, *, cache_dir: str | Path | None = None) -> Path:
    """Return the local path of ``file_name`` in ``ref``, downloading it into the HF cache.

    Args:
        cache_dir: the Hugging Face cache to use (default: huggingface_hub's, i.e.
            ``HF_HUB_CACHE``).

    Raises:
        OfflineError: offline mode is on and the file is not in the cache.
        DownloadError: the Hub cannot be reached or has no such repository, revision or file.
    """
    flag = offline_flag()
    try:
        path = huggingface_hub.hf_hub_download(
            ref.repo_id,
            file_name,
            revision=ref.revision,
            cache_dir=cache_dir,
            local_files_only=flag is not None,
        )
    except hf_utils.LocalEntryNotFoundError as err:
        cache = cache_dir or hf_constants.HF_HUB_CACHE
        where = f"{file_name} of {ref} is not in the Hugging Face cache {cache}"
        if flag is not None or hf_constants.HF_HUB_OFFLINE:
            raise OfflineError(
                f"offline mode is on ({flag or 'HF_HUB_OFFLINE'} is set) and {where}. Fetch it "
                f"once with network access (e.g. `hf download {ref.repo_id}`), or unset the flag."
            ) from None
        reason = _first_line(err)
        raise DownloadError(f"{where}, and the Hub could not be reached: {reason}") from None
    except (hf_utils.HfHubHTTPError, hf_utils.EntryNotFoundError) as err:
        raise DownloadError(
            f"could not download {file_name} of {ref}: {_first_line(err)}. Check the repository "
            "name and revision; a private repository needs `hf auth login` first."
        ) from None
    return Path(path)


def upload_folder(
    folder: str | Path,
    repo_id: str,
    *,
    token: str | None = None,
    private: bool = False,
    commit_message: str = "Upload avazoo model",
) -> str:
    """Create the model repository ``repo_id`` if needed, upload ``folder``, return the commit URL.

    Raises:
        AvazooError: no Hugging Face token is available, or the Hub refused the upload.
        OfflineError: offline mode is on.
    """
    flag = offline_flag()
    if flag is not None:
        raise OfflineError(f"offline mode is on ({flag} is set): unset it to upload to the Hub")
    token = token or huggingface_hub.get_token()
    if not token:
        raise AvazooError(
            "no Hugging Face token found: run `hf auth login` (or `huggingface-cli login`), or "
            "set HF_TOKEN to a token with write access, then try again"
        )
    api = huggingface_hub.HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="model", private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            repo_type="model",
            commit_message=commit_message,
        )
    except (hf_utils.HfHubHTTPError, OSError) as err:
        raise AvazooError(f"could not upload {folder} to {repo_id}: {_first_line(err)}") from None
    return commit.commit_url


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
