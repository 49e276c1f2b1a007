"""Where stored files live: one interface, a local folder or an S3-compatible object store.

``STORAGE_URL`` chooses: ``file:///srv/service-quality/files`` (the embedded default is the
instance's ``photos`` folder, or ``PHOTO_DIR``), or ``s3://bucket?endpoint=http://host:8333``
(optionally ``&region=…&prefix=…``), with the keys from the environment
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, as every S3 tool reads them), never from the URL
or the repository.  Files are named by their content's hash by the callers, so a write of an
existing name is the same content and may be skipped.  Nothing is ever served from the store's
own address: the app reads a file and sends it after its permission check, so the bucket stays
private.  Several app servers share one store; each server's own disk holds nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app


class Storage(Protocol):
    url: str

    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes | None: ...
    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...
    def names(self) -> Iterator[str]: ...
    def check(self) -> None: ...


class FolderStorage:
    """Files in a folder only the app's user may read (0700, files 0600)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.url = self.root.resolve().as_uri()

    def _path(self, name: str) -> Path:
        if not name or name.startswith((".", "/")) or ".." in name.split("/"):
            raise ValueError(f"not a stored file's name: {name!r}")
        return self.root / name

    def put(self, name: str, data: bytes) -> None:
        """Whole or not at all: a reader never sees half a file under its final name."""
        path = self._path(name)
        if path.exists():
            return      # the same content, already kept
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, name: str) -> bytes | None:
        path = self._path(name)
        return path.read_bytes() if path.is_file() else None

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield path.relative_to(self.root).as_posix()

    def check(self) -> None:
        """The folder takes a file: written and removed."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=self.root, prefix=".ready-")
        os.close(handle)
        os.unlink(probe)


class S3Storage:
    """Objects in a bucket of an S3-compatible store (SeaweedFS, MinIO, AWS), private."""

    def __init__(self, bucket: str, endpoint: str | None, region: str = "us-east-1",
                 prefix: str = ""):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.url = f"s3://{bucket}" + (f"?endpoint={endpoint}" if endpoint else "")
        # a session of its own: the keys are read from the environment now, not cached from
        # whichever store was made first in the process
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, region_name=region,
            config=Config(s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30,
                          retries={"max_attempts": 3}))

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data)

    def get(self, name: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def names(self) -> Iterator[str]:
        start = f"{self.prefix}/" if self.prefix else ""
        for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", ()):
                yield item["Key"][len(start):]

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


def from_url(url: str) -> Storage:
    """The store a ``STORAGE_URL`` names; ``ValueError`` for one that names none."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FolderStorage(Path(unquote(parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return S3Storage(parts.netloc, query.get("endpoint"), query.get("region", "us-east-1"),
                         query.get("prefix", parts.path))
    raise ValueError("STORAGE_URL must be file:///a/folder or s3://bucket?endpoint=http://host:port")


def current() -> Storage:
    """The app's store, made once per app: ``STORAGE_URL``, else the photo folder."""
    made = current_app.extensions.get("storage")
    url = current_app.config.get("STORAGE_URL") or ""
    folder = current_app.config.get("PHOTO_DIR") or os.path.join(current_app.instance_path, "photos")
    key = url or folder
    if made is None or made[0] != key:
        made = (key, from_url(url) if url else FolderStorage(Path(folder)))
        current_app.extensions["storage"] = made
    return made[1]
