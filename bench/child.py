"""Run one measured job in a process of its own, and read what it cost.

Each workload runs the code under test in a fresh child process, so that its
peak resident memory (``VmHWM``) is its own and not the harness's, and so
that nothing it imported or cached survives into the next workload.

    python -m bench.child JOB SPEC.json RESULT.json

The child runs ``bench.jobs.JOBS[JOB](spec)`` and writes its answer, with
``peak_rss_bytes`` and ``rss_after_imports_bytes`` added, to RESULT.json.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

#: Linux reports ru_maxrss in kilobytes (the fallback where there is no /proc).
RU_MAXRSS_UNIT_BYTES = 1024


class ChildFailed(RuntimeError):
    """A measured job exited with an error; the message holds the end of its log."""


def peak_rss_bytes() -> int:
    """This process's peak resident set size.

    ``VmHWM`` (the high-water mark of this program's own memory) where there is
    ``/proc``. Not ``ru_maxrss``: Linux carries it over from the process that
    forked us, so a child of a big harness would report the harness's size.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RU_MAXRSS_UNIT_BYTES


def current_rss_bytes() -> int:
    """The resident set size now (``/proc``), 0 where there is no ``/proc``."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run_child(job: str, spec: dict[str, Any], *, env: dict[str, str], cwd: Path, log_path: Path,
              timeout_seconds: float | None = None) -> dict[str, Any]:
    """Run ``job`` in a new interpreter with ``env``; its stderr and stdout go to ``log_path``."""
    with tempfile.TemporaryDirectory(prefix="bench-job-") as scratch:
        spec_path, result_path = Path(scratch) / "spec.json", Path(scratch) / "result.json"
        spec_path.write_text(json.dumps(spec))
        repo_root = Path(__file__).resolve().parent.parent
        env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo_root), env.get("PYTHONPATH")]))}
        with open(log_path, "ab") as log:
            log.write(f"\n=== {job} ===\n".encode())
            log.flush()
            completed = subprocess.run([sys.executable, "-m", "bench.child", job, str(spec_path), str(result_path)],
                                       env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                       timeout=timeout_seconds, check=False)
        if completed.returncode != 0 or not result_path.exists():
            raise ChildFailed(f"job {job} exited with {completed.returncode}:\n{_tail(log_path)}")
        return json.loads(result_path.read_text())


def _tail(path: Path, *, lines: int = 25) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def main(argv: list[str]) -> int:
    job, spec_path, result_path = argv
    from bench.jobs import JOBS  # the connector and its dependencies are loaded here, measured

    spec = json.loads(Path(spec_path).read_text())
    rss_after_imports = current_rss_bytes()
    result = JOBS[job](spec)
    result.update(peak_rss_bytes=peak_rss_bytes(), rss_after_imports_bytes=rss_after_imports)
    Path(result_path).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
