"""allysite deploy: the built site to S3-compatible storage (AWS S3, Cloudflare R2, MinIO...).

boto3 does the talking (an optional extra: pip install 'allysite[deploy]') and finds the
credentials the standard AWS way: environment variables, ~/.aws/config and credentials
(profiles), or the machine's role. It has no "sync", so this module compares by content:
a file is uploaded only when its MD5 differs from the object's ETag (or, for objects uploaded
in parts, from the SHA-256 kept in the object's metadata). Every upload sets Content-Type with
its charset and Cache-Control: a year for fingerprinted assets, a few minutes for pages.
Files go up assets first and pages last, so no page is ever live before what it links to;
objects no longer in the build are deleted only when asked (`delete`), and last of all;
never those under a name that starts with a dot: none that a build deploys (.htaccess),
and none of .well-known/ (which it deploys from static/), that the host may own.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allysite import mediatypes
from allysite.errors import Diagnostic, SourcePos, error
from allysite.inputindex import hidden
from allysite.output import LOCK_WAIT_SECONDS, MARKER, busy, lock_file, output_lock

HASH_METADATA = "sha256"
WORKERS = 8
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class LocalFile:
    key: str
    rel: str
    """The path inside the output folder (the key without the deploy prefix)."""
    path: Path
    md5: str
    sha256: str
    size: int

    @property
    def is_page(self) -> bool:
        return self.key.endswith(".html")


@dataclass(frozen=True, slots=True)
class RemoteObject:
    key: str
    etag: str
    size: int


@dataclass(frozen=True, slots=True)
class DeployPlan:
    uploads: tuple[LocalFile, ...]
    unchanged: int
    stale: tuple[str, ...]
    """Keys in the bucket that the build no longer has."""


@dataclass(frozen=True, slots=True)
class DeployResult:
    plan: DeployPlan
    uploaded: int = 0
    deleted: int = 0
    dry_run: bool = False
    diagnostics: tuple[Diagnostic, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.diagnostics


def local_files(out: Path, prefix: str = "") -> list[LocalFile]:
    """Every file of the output folder with its hashes, the hidden ones (allysite's marker)
    left out, but .well-known/ (inputindex.hidden)."""
    files = []
    for dirpath, dirnames, filenames in os.walk(out):
        here = os.path.relpath(dirpath, out)
        inside = "" if here == "." else f"{Path(here).as_posix()}/"
        dirnames[:] = sorted(name for name in dirnames if not hidden(f"{inside}{name}/"))
        for name in sorted(filenames):
            if hidden(inside + name) or name == MARKER:
                continue
            path = Path(dirpath, name)
            md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    md5.update(block)
                    sha.update(block)
            rel = path.relative_to(out).as_posix()
            size = path.stat().st_size
            files.append(LocalFile(prefix + rel, rel, path, md5.hexdigest(), sha.hexdigest(), size))
    return files


def remote_objects(client: Any, bucket: str, prefix: str) -> dict[str, RemoteObject]:
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", ()):
            found[item["Key"]] = RemoteObject(item["Key"], item["ETag"].strip('"'), item["Size"])
    return found


def plan_deploy(client: Any, bucket: str, files: list[LocalFile], prefix: str) -> DeployPlan:
    remote = remote_objects(client, bucket, prefix)
    uploads = []
    for file in files:
        have = remote.get(file.key)
        changed = have is None or have.size != file.size
        if changed or (have.etag != file.md5 and not _same_by_metadata(client, bucket, file)):
            uploads.append(file)
    keys = {file.key for file in files}
    stale = tuple(
        sorted(key for key in remote if key not in keys and not _hidden(key[len(prefix) :]))
    )
    # assets before pages: a page never goes live before what it links to
    uploads.sort(key=lambda file: (file.is_page, file.key))
    return DeployPlan(tuple(uploads), len(files) - len(uploads), stale)


def _hidden(rel: str) -> bool:
    """An object under a dot-name, not in the build: one allysite never deploys (.htaccess),
    or one of .well-known/ that a host or a certificate's challenge may have put there;
    either is left alone (README)."""
    return any(part.startswith(".") for part in rel.split("/"))


def _same_by_metadata(client: Any, bucket: str, file: LocalFile) -> bool:
    """Objects uploaded in parts (or encrypted with KMS) have no MD5 ETag: ask for ours."""
    head = client.head_object(Bucket=bucket, Key=file.key)
    return bool(head.get("Metadata", {}).get(HASH_METADATA) == file.sha256)


def deploy_site(
    out: Path,
    bucket: str,
    *,
    prefix: str = "",
    delete: bool = False,
    dry_run: bool = False,
    endpoint_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    progress: Progress | None = None,
    client: Any = None,
) -> DeployResult:
    """Upload what changed in `out` to `bucket` (under `prefix`); see the module's notes."""
    empty = DeployPlan((), 0, ())
    no_build = DeployResult(
        empty,
        diagnostics=(
            error(
                "no-build",
                f"{out} is not a folder built by allysite",
                SourcePos(str(out)),
                "run 'allysite build' first, or pass the output folder with --out",
            ),
        ),
    )
    if not (out / MARKER).is_file() and not lock_file(out).exists():  # no build ever began
        return no_build
    bad_prefix = _prefix_problem(prefix)
    if bad_prefix is not None:
        return DeployResult(empty, diagnostics=(bad_prefix,))
    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    waiting = (lambda: progress("wait", 0, 0)) if progress else None
    with contextlib.ExitStack() as stack:  # no build swaps the folder while it goes up
        try:
            held = stack.enter_context(output_lock(out, LOCK_WAIT_SECONDS, waiting))
        except OSError:  # no lock file beside a read-only folder: nothing builds there
            held = True
        if not held:
            return DeployResult(
                empty,
                diagnostics=(
                    busy(out, LOCK_WAIT_SECONDS, "a build", "let it finish, then deploy again"),
                ),
            )
        if not (out / MARKER).is_file():  # (a first build may have been making it)
            return no_build
        try:
            if client is None:
                client = make_client(endpoint_url, region, profile)
            files = local_files(out, prefix)
            if progress:
                progress("compare", 0, len(files))
            plan = plan_deploy(client, bucket, files, prefix)
        except Exception as exc:  # botocore's errors: credentials, network, permissions
            problem = _argument_error(exc, bucket, endpoint_url, region, profile)
            return DeployResult(empty, diagnostics=(problem or _storage_error(exc, bucket),))
        if dry_run:
            return DeployResult(plan, dry_run=True)
        # from here on the result says how far it went, error or not
        uploaded, failure = _upload(client, bucket, plan.uploads, progress)
        if failure is not None:
            return DeployResult(plan, uploaded, diagnostics=(_storage_error(failure, bucket),))
        deleted, problems = _delete(client, bucket, plan.stale) if delete else (0, ())
    return DeployResult(plan, uploaded, deleted, diagnostics=problems)


def make_client(endpoint_url: str | None, region: str | None, profile: str | None) -> Any:
    try:
        import boto3
    except ImportError as exc:
        raise DeployUnavailable from exc
    session = boto3.session.Session(profile_name=profile, region_name=region)
    return session.client("s3", endpoint_url=endpoint_url)


class DeployUnavailable(Exception):
    """boto3 is not installed."""


def _upload(
    client: Any, bucket: str, files: tuple[LocalFile, ...], progress: Progress | None
) -> tuple[int, BaseException | None]:
    """How many files went up, and the error that stopped the uploads: the files already
    under way finish, the others are not started (no page goes up after an asset failed)."""
    uploaded = 0
    # pages wait for every asset: two rounds
    for group in (
        [file for file in files if not file.is_page],
        [file for file in files if file.is_page],
    ):
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            futures = [pool.submit(_put, client, bucket, file) for file in group]
            for done, future in enumerate(concurrent.futures.as_completed(futures), uploaded + 1):
                if future.exception() is not None:
                    for waiting in futures:
                        waiting.cancel()
                    break
                if progress:
                    progress("upload", done, len(files))
        finished = [future for future in futures if not future.cancelled()]
        uploaded += sum(future.exception() is None for future in finished)
        failure = next((f.exception() for f in finished if f.exception() is not None), None)
        if failure is not None:
            return uploaded, failure
    return uploaded, None


def _put(client: Any, bucket: str, file: LocalFile) -> None:
    client.put_object(
        Bucket=bucket,
        Key=file.key,
        Body=file.path.read_bytes(),
        ContentType=mediatypes.content_type(file.rel),
        CacheControl=mediatypes.cache_control(file.rel),
        ContentMD5=base64.b64encode(bytes.fromhex(file.md5)).decode("ascii"),
        Metadata={HASH_METADATA: file.sha256},
    )


def _delete(client: Any, bucket: str, keys: tuple[str, ...]) -> tuple[int, tuple[Diagnostic, ...]]:
    """How many objects were deleted, and why some were not (S3 answers a refusal of some
    keys among the others, without an error of the whole request)."""
    deleted = 0
    refused: list[str] = []
    for batch in _batches(keys, 1000):
        try:
            answer = client.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
            )
        except Exception as exc:  # botocore's errors: network, permissions
            return deleted, (_storage_error(exc, bucket),)
        errors = answer.get("Errors", ())
        deleted += len(batch) - len(errors)
        refused += [f"{item.get('Key')} ({item.get('Code', 'refused')})" for item in errors]
    if not refused:
        return deleted, ()
    shown = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if len(refused) > 5 else "")
    problem = error(
        "deploy",
        f"{len(refused)} object(s) of '{bucket}' could not be deleted: {shown}",
        hint="the credentials may not delete in this bucket, or a bucket policy or an object "
        "lock keeps these objects",
    )
    return deleted, (problem,)


def _batches(items: tuple[str, ...], size: int) -> Iterator[tuple[str, ...]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _prefix_problem(prefix: str) -> Diagnostic | None:
    """A prefix with an empty, '.' or '..' folder: S3 keeps such keys as written, but no
    address of the site reaches them (a browser resolves the dots away), and some storage
    (MinIO) refuses them."""
    parts = prefix.strip("/").split("/")
    if prefix.strip("/") and any(part in ("", ".", "..") for part in parts):
        return error(
            "bad-prefix",
            f"--prefix '{prefix}' has an empty, '.' or '..' folder",
            hint="give the folder in the bucket as plain names, e.g. --prefix preview/es "
            "(check ALLYSITE_PREFIX if it is set)",
        )
    return None


def _argument_error(
    exc: BaseException,
    bucket: str,
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
) -> Diagnostic | None:
    """An option that boto3 refuses before it talks to the storage, named as given: its own
    message shows a regular expression, or no option at all."""
    name, text = type(exc).__name__, str(exc)
    given = getattr(exc, "kwargs", {})  # (botocore's errors keep what they were given)
    if name == "ProfileNotFound":
        what = f"--profile {profile}" if profile else f"the profile {given.get('profile')}"
        return error(
            "deploy",
            f"{what}: no such profile in ~/.aws/config or ~/.aws/credentials",
            hint="give a profile those files define (aws configure --profile NAME makes one), "
            "or unset AWS_PROFILE if it names this one",
        )
    if name == "ParamValidationError" and "Invalid bucket name" in text:
        return error(
            "deploy",
            f"--bucket '{bucket}' is not a bucket name",
            hint="a bucket's name is its letters, digits, dots, hyphens and underscores, "
            "e.g. partners-site (check ALLYSITE_BUCKET if it is set)",
        )
    if name == "InvalidRegionError":
        what = (
            f"--region '{region}'"
            if region
            else f"the region '{given.get('region_name')}' (of AWS_REGION, AWS_DEFAULT_REGION "
            "or ~/.aws/config)"
        )
        return error(
            "deploy",
            f"{what} is not a region name",
            hint="give the bucket's region as its storage names it, e.g. eu-west-1 (R2: auto)",
        )
    if isinstance(exc, ValueError) and text.startswith("Invalid endpoint"):
        return error(
            "deploy",
            f"--endpoint-url '{endpoint_url}' is not an address",
            hint="give the storage's full address, e.g. https://ACCOUNT.r2.cloudflarestorage.com "
            "(check AWS_ENDPOINT_URL if it is set)",
        )
    return None


def _storage_error(exc: BaseException, bucket: str) -> Diagnostic:
    if isinstance(exc, DeployUnavailable):
        return error(
            "no-boto3",
            "deploying needs boto3, which is not installed",
            hint="install it with: pip install 'allysite[deploy]'",
        )
    name = type(exc).__name__
    text = str(exc)
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        hint = (
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile of "
            "~/.aws/credentials with --profile"
        )
    elif name == "EndpointConnectionError":
        hint = "check --endpoint-url (R2, MinIO) and your network"
    elif "NoSuchBucket" in text:
        hint = f"create the bucket '{bucket}' first, or check its name"
    elif "AccessDenied" in text or "Forbidden" in text:
        hint = "the credentials may not list, write or delete in this bucket"
    else:
        hint = "check the bucket, the endpoint and the credentials"
    return error("deploy", f"deploy to '{bucket}' failed: {name}: {text}", hint=hint)
