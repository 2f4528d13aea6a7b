"""Regenerate docs/report-screenshot.png, the README's picture of the HTML report.

    python3 docs/report_screenshot.py [examples/requirements/trading-gateway.yaml]

Writes the report with the real command, then lets headless Chromium (Debian's
``chromium``) take the same 1280x800 screenshot the browser test takes. Chromium is kept
off the network: background services disabled and every host name resolved nowhere.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "report-screenshot.png"
DEFAULT = "examples/requirements/trading-gateway.yaml"  # relative: the report shows it


def main(argv: list[str]) -> int:
    source = argv[0] if argv else DEFAULT
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("needs chromium (apt-get install -y chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cnadvisor-shot-") as folder:
        work = Path(folder)
        report = work / "report.html"
        subprocess.run(
            [sys.executable, "-c", "from cnadvisor.cli import main; raise SystemExit(main())",
             "evaluate", source, "-f", "html", "-o", str(report)],
            check=True, cwd=ROOT,
        )  # fmt: skip
        shot = work / "report.png"
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
             f"--user-data-dir={work / 'profile'}", f"--screenshot={shot}",
             "--window-size=1280,800", report.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        shutil.copyfile(shot, TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
