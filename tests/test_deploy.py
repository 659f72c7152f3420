"""allysite deploy against a real S3-compatible server (moto's) on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from moto.server import ThreadedMotoServer

from allysite import deploy as deploy_module
from allysite.cli import cli
from allysite.deploy import local_files
from allysite.output import output_lock
from conftest import MakeSite, Site

BUCKET = "partners-site"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # the standard AWS way: credentials from the environment
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", ())]
    if keys:
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys]})
    client.delete_bucket(Bucket=BUCKET)


def deploy(site: Site, endpoint: str, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "deploy",
            "--site",
            str(site.root),
            "--out",
            str(site.out),
            "--bucket",
            BUCKET,
            "--endpoint-url",
            endpoint,
            *args,
        ],
        catch_exceptions=False,
    )


def keys(s3: Any) -> set[str]:
    return {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", ())}


def test_twice_in_a_row_uploads_nothing_the_second_time(
    built_site: Site, s3: Any, endpoint: str
) -> None:
    files = local_files(built_site.out)
    first = deploy(built_site, endpoint)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"Uploaded {len(files)} file(s), 0 unchanged")
    assert keys(s3) == {file.key for file in files}
    assert ".allysite-output" not in keys(s3)
    second = deploy(built_site, endpoint)
    assert second.exit_code == 0
    assert second.stdout.startswith(f"Uploaded 0 file(s), {len(files)} unchanged")


def test_headers_type_charset_and_caching(built_site: Site, s3: Any, endpoint: str) -> None:
    assert deploy(built_site, endpoint).exit_code == 0
    page = s3.head_object(Bucket=BUCKET, Key="es/partners/alpha/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=300, must-revalidate"
    css = next(k for k in keys(s3) if k.startswith("assets/") and k.endswith(".css"))
    head = s3.head_object(Bucket=BUCKET, Key=css)
    assert head["ContentType"] == "text/css; charset=utf-8"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert s3.head_object(Bucket=BUCKET, Key="sitemap.xml")["ContentType"] == (
        "application/xml; charset=utf-8"
    )
    logo = s3.head_object(Bucket=BUCKET, Key="es/partners/alpha/logo.svg")
    assert logo["ContentType"] == "image/svg+xml; charset=utf-8"
    body = s3.get_object(Bucket=BUCKET, Key="es/partners/alpha/index.html")["Body"].read()
    assert body == (built_site.out / "es/partners/alpha/index.html").read_bytes()


def test_a_changed_page_is_uploaded_and_a_removed_one_deleted_only_with_delete(
    make_site: MakeSite, s3: Any, endpoint: str
) -> None:
    site = make_site({"content/pages/contact/es.md": "---\nname: Contacto\n---\nEscríbanos.\n"})
    assert site.build().exit_code == 0
    assert deploy(site, endpoint).exit_code == 0
    assert "es/contact/index.html" in keys(s3)

    site.remove("content/pages/contact/es.md")
    (site.root / "content/pages/contact").rmdir()
    assert site.build().exit_code == 0
    kept = deploy(site, endpoint)
    assert kept.exit_code == 0
    assert "es/contact/index.html" in keys(s3)
    stale = [k for k in keys(s3) if "/contact/" in k]
    assert f"{len(stale)} object(s) in the bucket are no longer in the build" in kept.stdout

    # a dry run without --delete says so too, as the deploy it stands for does
    told = deploy(site, endpoint, "--dry-run")
    assert told.stdout.splitlines()[-1] == (
        f"{len(stale)} object(s) in the bucket are no longer in the build; "
        "run again with --delete to remove them."
    )
    dry = deploy(site, endpoint, "--delete", "--dry-run")
    assert "no longer in the build" not in dry.stdout
    assert dry.exit_code == 0
    assert "Dry run: would upload 0 file(s)" in dry.stdout
    assert "  delete es/contact/index.html" in dry.stdout
    assert "es/contact/index.html" in keys(s3)

    removed = deploy(site, endpoint, "--delete")
    assert removed.exit_code == 0
    assert f"deleted {len(stale)}" in removed.stdout
    assert not [k for k in keys(s3) if "/contact/" in k]
    assert keys(s3) == {file.key for file in local_files(site.out)}


def test_only_the_changed_files_go_up(built_site: Site, s3: Any, endpoint: str) -> None:
    assert deploy(built_site, endpoint).exit_code == 0
    built_site.write(
        {
            "content/partners/alpha/en.md": "---\nname: Alpha Foundation\nsummary: Works for "
            "peace.\n---\nNew text.\n"
        }
    )
    assert built_site.build().exit_code == 0
    dry = deploy(built_site, endpoint, "--dry-run")
    uploads = [line.split()[-1] for line in dry.stdout.splitlines() if line.startswith("  upload")]
    assert "en/partners/alpha/index.html" in uploads
    assert not [key for key in uploads if key.startswith("es/partners/")]
    result = deploy(built_site, endpoint)
    assert result.stdout.startswith(f"Uploaded {len(uploads)} file(s)")
    body = s3.get_object(Bucket=BUCKET, Key="en/partners/alpha/index.html")["Body"].read()
    assert b"New text." in body


def test_a_prefix_keeps_the_site_in_a_folder(built_site: Site, s3: Any, endpoint: str) -> None:
    assert deploy(built_site, endpoint, "--prefix", "/preview/").exit_code == 0
    assert keys(s3) and all(key.startswith("preview/") for key in keys(s3))
    assert "preview/es/index.html" in keys(s3)


def test_no_build_and_no_bucket_are_clear_errors(
    make_site: MakeSite, s3: Any, endpoint: str
) -> None:
    site = make_site()
    missing = deploy(site, endpoint)
    assert missing.exit_code == 1
    assert "is not a folder built by allysite" in missing.stderr
    assert "run 'allysite build' first" in missing.stderr
    assert site.build().exit_code == 0
    wrong = CliRunner().invoke(
        cli,
        [
            "deploy",
            "--out",
            str(site.out),
            "--bucket",
            "no-such-bucket",
            "--endpoint-url",
            endpoint,
        ],
    )
    assert wrong.exit_code == 1
    assert "deploy to 'no-such-bucket' failed" in wrong.stderr
    assert "create the bucket 'no-such-bucket' first" in wrong.stderr


def test_the_workflow_checks_pull_requests_and_publishes_main() -> None:
    import yaml

    workflow = yaml.safe_load(
        (Path(__file__).parents[1] / ".github/workflows/site.yml").read_text()
    )
    triggers = workflow[True]  # YAML 1.1 reads the key 'on' as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    test_steps = " ".join(step.get("run", "") for step in jobs["test"]["steps"])
    assert "bash scripts/test.sh" in test_steps
    assert "allysite check --strict" in test_steps
    assert "pull_request" in jobs["build"]["if"] and "refs/heads/main" in jobs["build"]["if"]
    uses = [
        step["uses"].split("@")[0]
        for job in ("build", "deploy")
        for step in jobs[job]["steps"]
        if "uses" in step
    ]
    assert {
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    } <= set(uses)
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["needs"] == "build" and jobs["build"]["needs"] == "test"
    for job in ("test", "build"):  # the whole history: git tells stale translations
        checkout = next(s for s in jobs[job]["steps"] if "actions/checkout" in s.get("uses", ""))
        assert checkout["with"]["fetch-depth"] == 0


def test_the_workflows_container_jobs_let_git_read_the_checkout() -> None:
    """A container job runs as root in a checkout the runner's user owns, and git refuses
    it ('dubious ownership'): stale translations went untold, and `check --strict` and
    `build --strict` now fail on the warning that says so."""
    for name, job in _workflow()["jobs"].items():
        if "container" not in job:
            continue
        runs = [step.get("run", "") for step in job["steps"]]
        command = 'git config --global --add safe.directory "$GITHUB_WORKSPACE"'
        trusted = next((i for i, run in enumerate(runs) if command in run), None)
        assert trusted is not None, f"{name}: no step runs {command}"
        checkout = next(i for i, s in enumerate(job["steps"]) if "checkout" in s.get("uses", ""))
        first_use = next(i for i, run in enumerate(runs) if "allysite" in run or ".sh" in run)
        assert checkout < trusted < first_use, name


def test_a_deploy_waits_for_a_build_writing_the_output(
    built_site: Site, s3: Any, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build swapping the folder in while its files go up would mix two builds."""
    monkeypatch.setattr(deploy_module, "LOCK_WAIT_SECONDS", 0.2)
    with output_lock(built_site.out, 0) as held:  # as a build holds it
        assert held
        result = deploy(built_site, endpoint)
    assert result.exit_code == 1
    assert "a build has been writing" in result.stderr and "Traceback" not in result.output
    assert keys(s3) == set()  # nothing went up
    assert deploy(built_site, endpoint).exit_code == 0
    assert keys(s3)


def test_delete_leaves_the_hosts_own_dot_names_alone(
    built_site: Site, s3: Any, endpoint: str
) -> None:
    """allysite never deploys a name starting with a dot: such an object is the host's."""
    for key in (".well-known/security.txt", "es/.hosting-note", "old/page.html"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"kept by the host")
    dry = deploy(built_site, endpoint, "--delete", "--dry-run")
    assert dry.exit_code == 0
    deletes = [line.split()[-1] for line in dry.stdout.splitlines() if line.startswith("  delete")]
    assert deletes == ["old/page.html"]
    result = deploy(built_site, endpoint, "--delete")
    assert result.exit_code == 0
    assert "deleted 1 " in result.stdout
    assert keys(s3) == {file.key for file in local_files(built_site.out)} | {
        ".well-known/security.txt",
        "es/.hosting-note",
    }


def test_the_well_known_folder_is_uploaded_with_its_types(
    make_site: MakeSite, s3: Any, endpoint: str
) -> None:
    """static/.well-known/ is published: its files go up, byte for byte, security.txt as
    text and apple-app-site-association (no extension) as JSON; no other dot-name does."""
    association = b'{"applinks": {"details": []}}\n'
    site = make_site(
        {
            "static/.well-known/security.txt": "Contact: mailto:security@example.org\n",
            "static/.well-known/apple-app-site-association": association,
            "static/.well-known/.secret": "not for visitors\n",
            "static/.env": "SECRET=1\n",
        }
    )
    assert site.build().exit_code == 0
    result = deploy(site, endpoint)
    assert result.exit_code == 0, result.output
    uploaded = keys(s3)
    assert sorted(key for key in uploaded if "/." in f"/{key}") == [
        ".well-known/apple-app-site-association",
        ".well-known/security.txt",
    ]
    text = s3.get_object(Bucket=BUCKET, Key=".well-known/security.txt")
    assert text["ContentType"] == "text/plain; charset=utf-8"
    assert text["Body"].read() == (site.out / ".well-known/security.txt").read_bytes()
    apple = s3.get_object(Bucket=BUCKET, Key=".well-known/apple-app-site-association")
    assert apple["ContentType"] == "application/json; charset=utf-8"
    assert apple["Body"].read() == association
    assert deploy(site, endpoint).stdout.startswith("Uploaded 0 file(s)")


def deny(s3: Any, action: str, keys_like: str) -> None:
    """A bucket policy that refuses `action` on the keys matching `keys_like`."""
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": f"arn:aws:s3:::{BUCKET}/{keys_like}",
    }
    s3.put_bucket_policy(
        Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )


def test_an_upload_refused_midway_says_what_went_up(
    built_site: Site, s3: Any, endpoint: str
) -> None:
    """The bucket holds part of the build: the closing line says how much, not 'nothing'."""
    deny(s3, "s3:PutObject", "es/*")
    files = local_files(built_site.out)
    result = deploy(built_site, endpoint)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "deploy to 'partners-site' failed" in result.stderr
    went_up = keys(s3)
    assert went_up and not any(key.startswith("es/") for key in went_up)
    assert not any(key.endswith(".html") for key in went_up)  # no page before every asset
    pages = sum(file.is_page for file in files)
    assert (
        f"Uploaded {len(went_up)} of {len(files)} file(s) (0 of {pages} page(s)) before the error"
        in result.stderr
    )


def test_objects_the_bucket_refuses_to_delete_are_an_error(
    built_site: Site, s3: Any, endpoint: str
) -> None:
    """S3 refuses some keys of a DeleteObjects among the others, in a success answer."""
    for key in ("old/kept.html", "old/gone.html"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"a page no longer built")
    deny(s3, "s3:DeleteObject", "old/kept*")
    result = deploy(built_site, endpoint, "--delete")
    s3.delete_bucket_policy(Bucket=BUCKET)  # (so that the fixture can empty the bucket)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 object(s) of 'partners-site' could not be deleted: old/kept.html" in result.stderr
    files = local_files(built_site.out)
    assert keys(s3) == {file.key for file in files} | {"old/kept.html"}
    assert f"Uploaded {len(files)} of {len(files)} file(s) and deleted 1 of 2 object(s)" in (
        result.stderr
    )


def test_a_deploy_waits_for_the_first_build_of_the_output(
    built_site: Site, s3: Any, endpoint: str, tmp_path: Path
) -> None:
    """While a first build writes it, the output is not there yet: the deploy waits for it
    (it said 'run allysite build first' while one ran)."""
    made = tmp_path / "made"
    built_site.out.rename(made)  # as a first build holds it, in its staging folder
    with ThreadPoolExecutor(1) as pool:
        with output_lock(built_site.out, 0) as held:
            assert held
            waiting = pool.submit(deploy, built_site, endpoint)
            time.sleep(0.5)
            done_early = waiting.done()
            made.rename(built_site.out)  # the build swaps its output in, then lets go
        result = waiting.result(timeout=60)
    assert not done_early, result.output
    assert result.exit_code == 0, result.output
    assert keys(s3) == {file.key for file in local_files(built_site.out)}


def test_a_missing_output_is_refused_without_a_lock_beside_it(
    make_site: MakeSite, s3: Any, endpoint: str
) -> None:
    site = make_site()
    result = deploy(site, endpoint)
    assert result.exit_code == 1 and "is not a folder built by allysite" in result.stderr
    assert not list(site.out.parent.glob(f".{site.out.name}.*"))  # nothing made for a typo


def _workflow() -> dict[Any, Any]:
    import yaml

    path = Path(__file__).parents[1] / ".github/workflows/site.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_workflow_pins_its_actions_and_bounds_its_jobs() -> None:
    """A tag such as @v4 can be moved to other code; a commit SHA cannot. A job without a
    timeout holds a runner for six hours when a step hangs."""
    jobs = _workflow()["jobs"]
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use) for use in uses)
    assert all(0 < job["timeout-minutes"] <= 60 for job in jobs.values())
    dependabot = Path(__file__).parents[1] / ".github/dependabot.yml"
    import yaml

    updates = yaml.safe_load(dependabot.read_text(encoding="utf-8"))["updates"]
    assert {"package-ecosystem": "github-actions", "directory": "/"}.items() <= updates[0].items()


def test_the_workflow_publishes_well_known_and_not_the_marker() -> None:
    """upload-pages-artifact v3 archives hidden folders; v4 leaves them out, and v5 and later
    unless `include-hidden-files`: a bump would drop /.well-known/ from Pages without a word.
    allysite's marker in the output is no file of the site, and not published."""
    text = (Path(__file__).parents[1] / ".github/workflows/site.yml").read_text(encoding="utf-8")
    found = re.search(r"upload-pages-artifact@[0-9a-f]{40}\s+#\s*v(\d+)", text)
    assert found, "the version of upload-pages-artifact is named after its pin"
    steps = _workflow()["jobs"]["build"]["steps"]
    upload = next(step for step in steps if "upload-pages-artifact" in step.get("uses", ""))
    major = int(found.group(1))
    assert major == 3 or (major >= 5 and upload["with"].get("include-hidden-files") is True)
    build = next(step["run"] for step in steps if "allysite build" in step.get("run", ""))
    out = re.search(r"allysite build .*--out (\S+)", build)
    assert out and out.group(1) == upload["with"]["path"]
    assert f"rm {out.group(1)}/.allysite-output" in build


def test_the_workflows_annotations_escape_what_github_reads_as_syntax(tmp_path: Path) -> None:
    """A file name with ',' or ':' ended the annotation's `file=`, a line break in a message
    cut it, and a '%' followed by hex digits was read as an escape."""
    run = next(
        step["run"]
        for step in _workflow()["jobs"]["test"]["steps"]
        if "allysite check" in step.get("run", "")
    )
    script = run.split("<<'PY'\n", 1)[1].rsplit("\nPY", 1)[0]
    finding = {
        "path": "content/partners/alpha/report, v2: final.pdf",
        "line": None,
        "column": None,
        "level": "warning",
        "code": "unused-file",
        "message": "link 'caf%C3%A9/'\nsecond line",
        "hint": None,
    }
    report = {"ok": True, "errors": 0, "warnings": 1, "notices": 0, "findings": [finding]}
    (tmp_path / "check.json").write_text(json.dumps(report), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[0] == (
        "::warning file=content/partners/alpha/report%2C v2%3A final.pdf::"
        "link 'caf%25C3%25A9/'%0Asecond line"
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--bucket", "My Bucket", "error: --bucket 'My Bucket' is not a bucket name"),
        ("--profile", "no-such-profile", "error: --profile no-such-profile: no such profile in"),
        ("--region", "us east", "error: --region 'us east' is not a region name"),
        ("--endpoint-url", "localhost:9000", "error: --endpoint-url 'localhost:9000' is not an"),
        ("--prefix", "../preview", "error: --prefix '../preview' has an empty, '.' or '..' folder"),
    ],
)
def test_an_option_boto3_refuses_is_named_as_given(
    built_site: Site,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    option: str,
    value: str,
    message: str,
) -> None:
    """boto3's own words named no option ('ValueError: Invalid endpoint: localhost:9000'),
    showed a regular expression for a bucket's name, and hinted at everything at once; a
    prefix with '..' went up as keys no address of the site reaches."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    args = {"--bucket": BUCKET, "--endpoint-url": endpoint, "--region": "us-east-1"}
    args[option] = value
    command = ["deploy", "--out", str(built_site.out)]
    for name, given in args.items():
        command += [name, given]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(message), lines
    assert lines[1].startswith("  hint: ") and "regex" not in result.stderr
    assert lines[-1] == "Nothing was uploaded or deleted."


def test_a_compressed_file_goes_up_as_what_it_is(
    make_site: MakeSite, s3: Any, endpoint: str
) -> None:
    """data.csv.gz went up as 'text/csv; charset=utf-8' with no Content-Encoding: a
    browser showed its compressed bytes as text instead of saving the file."""
    import gzip

    site = make_site(
        {
            "static/data/partners.csv.gz": gzip.compress(b"slug,name\nalpha,Alpha\n"),
            "static/data/notes.txt.bz2": b"BZh91AY&SY",
            "static/data/partners.csv": "slug,name\nalpha,Alpha\n",
        }
    )
    assert site.build().exit_code == 0
    assert deploy(site, endpoint).exit_code == 0
    types = {
        key: s3.head_object(Bucket=BUCKET, Key=key)["ContentType"]
        for key in ("data/partners.csv.gz", "data/notes.txt.bz2", "data/partners.csv")
    }
    assert types == {
        "data/partners.csv.gz": "application/gzip",
        "data/notes.txt.bz2": "application/x-bzip2",
        "data/partners.csv": "text/csv; charset=utf-8",
    }
    body = s3.get_object(Bucket=BUCKET, Key="data/partners.csv.gz")["Body"].read()
    assert gzip.decompress(body) == b"slug,name\nalpha,Alpha\n"
