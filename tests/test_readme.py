"""The README's tour, run verbatim against a live demo server: it cannot drift from the code."""

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.live_server import serving

ROOT = Path(__file__).resolve().parents[1]
# Every call must succeed, except those that show an answer's status line (`curl -i`).
PRELUDE = """set -euo pipefail
curl() {
  case " $* " in
    *" -i "*) command curl --silent --show-error "$@" ;;
    *) command curl --silent --show-error --fail-with-body "$@" ;;
  esac
  echo
}
"""


def tour() -> str:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- tour -->\n```sh\n(.*?)```\n<!-- /tour -->", readme, re.S)
    assert found, "README.md has no <!-- tour --> block"
    return found.group(1)


def test_the_tour_names_only_files_the_project_ships():
    for name in re.findall(r"file=@([\w./-]+)", tour()):
        assert (ROOT / name).is_file(), name


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour needs curl")
def test_the_readme_tour_runs_verbatim(database_url, tmp_path):
    script = tour()
    assert "http://127.0.0.1:8000/api/v1" in script
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    with serving(database_url, tmp_path / "serve.log", demo=True, APP_ENV="development") as base:
        run = subprocess.run(
            ["bash", "-c", PRELUDE + script.replace("http://127.0.0.1:8000", base)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, f"the tour stopped:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        publications = httpx.get(f"{base}/api/v1/publications").json()["items"]
    out = run.stdout
    assert "没有这个组织。" in out and "No such organisation." in out  # both languages
    assert out.count('"reasons"') >= 2  # matching both ways explains itself
    assert '"valid":false' in out and '"row":2' in out  # the dry run lists failing rows
    assert '"status":"accepted"' in out  # the enterprise took the offer
    snapshot = (tmp_path / "snapshot.csv").read_bytes()
    newest = max(publications, key=lambda p: p["id"])
    assert hashlib.sha256(snapshot).hexdigest() == newest["sha256"]
    assert (tmp_path / "template.xlsx").read_bytes()[:2] == b"PK"
