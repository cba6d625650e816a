"""k8slint's speed benchmark: every figure of the speed targets, measured in one run.

    python bench/run.py                      # N=1000 and N=4000, kubectl and checkov when found
    python bench/run.py --n 200 --scale-n 0 --no-kubectl --no-checkov   # a quick look

It writes a synthetic repository (bench/synth.py) under a temporary directory and measures:

- the floor: PyYAML's C composer (`yaml.compose_all(..., Loader=yaml.CSafeLoader)`) over every
  YAML file of the repository, in this process;
- a full lint (every rule, both overlays built, schema validation) with an empty cache (cold)
  and again with the cache warm, no file changed;
- one changed file linted through the CLI (what pre-commit and on-save ask), cache warm;
- the language server's re-lint after an edit (lint/lsp.py's `lint_documents`, in process);
- `k8slint --version`;
- `k8slint render` of one overlay against `kubectl kustomize` (objects compared for identity;
  also at a small N where kubectl is quick);
- N=4000 against N=1000 (scaling) and the peak memory of the lint at N=4000;
- checkov (its kubernetes framework) on the same repository, when installed (`--checkov PATH`).

k8slint runs as a subprocess of this interpreter (`python -c "from k8slint.lint.cli import
main"`), so PYTHONPATH selects the checkout measured. Times are wall clock, the median of
`--repeat` runs; peak memory is the largest proportional set size (PSS) of the process tree,
sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import OVERLAYS, write_repo, yaml_files

K8SLINT = [sys.executable, "-c", "from k8slint.lint.cli import run; run()"]
CHANGED = "k8s/base/app-{i}/config.yaml"


# -- measuring -----------------------------------------------------------------------------------


def _tree_memory(pid: int) -> int:
    """Memory (bytes) of `pid` and its descendants, from /proc (0 where there is none).

    Proportional set size where the kernel reports it: a page a forked child still shares with
    its parent (copy-on-write) is counted once, as it is held once; the resident sizes would
    count it in both. Without smaps_rollup, the resident size.
    """
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _process_memory(current)
        stack.extend(children.get(current, ()))
    return total


def _process_memory(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


class Measured:
    def __init__(self, wall: float, code: int, peak_mb: float) -> None:
        self.wall, self.code, self.peak_mb = wall, code, peak_mb


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    stdout: Path | None = None,
    sample_memory: bool = False,
) -> Measured:
    """Run a command; its wall time, exit code and peak memory (MB, the process tree's)."""
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    peak = [0]
    try:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdout=out, stderr=subprocess.PIPE
        )
        done = threading.Event()
        sampler = None
        if sample_memory:

            def sample() -> None:
                while not done.wait(0.02):
                    peak[0] = max(peak[0], _tree_memory(process.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        _stdout, stderr = process.communicate()
        wall = time.perf_counter() - start
        done.set()
        if sampler is not None:
            sampler.join()
    finally:
        if stdout is not None:
            out.close()  # type: ignore[union-attr]
    if process.returncode not in (0, 1):
        sys.stderr.write(stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"{' '.join(command[-3:])} exited {process.returncode}")
    return Measured(wall, process.returncode, peak[0] / 2**20)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def floor(root: Path) -> float:
    """Read and compose every YAML file with PyYAML's C composer."""
    for path in yaml_files(root):
        text = path.read_text(encoding="utf-8")
        for _node in yaml.compose_all(text, Loader=yaml.CSafeLoader):
            pass
    return 0.0


def documents(root: Path) -> int:
    return sum(
        1
        for path in yaml_files(root)
        for node in yaml.compose_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if node is not None
    )


def k8s_documents(root: Path) -> int:
    count = 0
    for path in yaml_files(root):
        if path.name.startswith("kustomization"):
            continue
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
            if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                count += 1
    return count


# -- the figures ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.figures: dict[str, object] = {}
        self.lines: list[str] = []
        self.jobs = ["--jobs", str(args.jobs)] if args.jobs is not None else []

    def env(self, cache: Path | None) -> dict[str, str]:
        env = dict(os.environ)
        if cache is not None:
            env["XDG_CACHE_HOME"] = str(cache)
        return env

    def say(self, name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("  ok" if ok else "  MISSED")
        line = f"{name:<52} {value:>18}   {target}{verdict}"
        self.lines.append(line)
        print(line, flush=True)

    def repo(self, n: int) -> Path:
        root = self.work / f"repo-{n}"
        if not root.exists():
            write_repo(root, n)
        return root

    def lint(self, root: Path, cache: Path, paths: Sequence[str] = (".",), mem: bool = False):
        out = self.work / "lint.json"
        measured = run(
            [*K8SLINT, "--format", "json", "--fail-on", "error", *self.jobs, *paths],
            root,
            self.env(cache),
            out,
            mem,
        )
        report = json.loads(out.read_text())
        return measured, report

    def main(self) -> None:
        args = self.args
        n = args.n
        root = self.repo(n)
        docs, k8s_docs = documents(root), k8s_documents(root)
        files = len(yaml_files(root))
        print(
            f"repository N={n}: {files} YAML files, {docs} YAML documents, "
            f"{k8s_docs} Kubernetes documents ({root})",
            flush=True,
        )
        floor_s = median([timed(lambda: floor(root)) for _ in range(args.repeat)])
        self.figures["floor_s"] = floor_s
        self.say(f"floor: C compose of N={n}", f"{floor_s:.3f} s")

        # -- full lint, cold then warm
        colds, reports = [], []
        for index in range(args.repeat):
            cache = self.work / f"cache-cold-{n}-{index}"
            measured, report = self.lint(root, cache)
            colds.append(measured.wall)
            reports.append(report)
        cold = median(colds)
        peak = self.peak_memory(root, n)
        findings = len(reports[0]["findings"])
        self.figures.update(cold_s=cold, findings=findings, peak_mb_n=peak)
        self.say(
            f"full lint N={n}, cold ({findings} findings)",
            f"{cold:.3f} s",
            "<= 3.0 s",
            cold <= 3.0,
        )
        self.say("  cold / floor", f"{cold / floor_s:.2f}x", "<= 2.5x", cold / floor_s <= 2.5)
        self.say(f"  peak memory N={n}", f"{peak:.0f} MB")
        warm_cache = self.work / f"cache-cold-{n}-0"
        warms = []
        for _ in range(args.repeat):
            measured, report = self.lint(root, warm_cache)
            warms.append(measured.wall)
            if report != reports[0]:
                raise SystemExit("the warm run's report differs from the cold run's")
        warm = median(warms)
        self.figures["warm_s"] = warm
        self.say(f"full lint N={n}, warm (no file changed)", f"{warm:.3f} s")
        self.say("  warm / floor", f"{warm / floor_s:.2f}x", "<= 0.5x", warm / floor_s <= 0.5)

        # -- one changed file, cache warm (pre-commit, on save)
        changed_rel = CHANGED.format(i=n // 2)
        changed = root / changed_rel
        original = changed.read_text()
        ones = []
        try:
            for _ in range(args.repeat):
                # never-seen content: the cache is keyed by content, and a value written by an
                # earlier benchmark run in the same workdir would be a cache hit, not a re-lint
                fresh = f"app.threads={time.time_ns()}"
                changed.write_text(original.replace("app.threads=4", fresh))
                measured, _report = self.lint(root, warm_cache, [changed_rel])
                ones.append(measured.wall)
        finally:
            changed.write_text(original)
        one = median(ones)
        self.figures["one_file_s"] = one
        self.say("one changed file, CLI, cache warm", f"{one:.3f} s", "<= 0.3 s", one <= 0.3)

        # -- the language server's re-lint
        if not args.no_lsp:
            relint = self.lsp(root, n)
            self.figures["lsp_relint_ms"] = relint * 1000
            self.say(
                "language server re-lint after a change (median)",
                f"{relint * 1000:.0f} ms",
                "<= 50 ms",
                relint <= 0.05,
            )

        # -- --version
        versions = []
        for _ in range(max(5, args.repeat)):
            versions.append(run([*K8SLINT, "--version"], root, self.env(None)).wall)
        bare = median([run([sys.executable, "-c", "pass"], root).wall for _ in range(5)])
        version = median(versions)
        self.figures["version_s"] = version
        self.say(
            "k8slint --version",
            f"{version * 1000:.0f} ms",
            f"<= 100 ms (python -c pass: {bare * 1000:.0f} ms)",
            version <= 0.1,
        )

        # -- render against kubectl kustomize
        self.render(root, n)

        # -- scaling and memory at N=4000
        if args.scale_n:
            big = self.repo(args.scale_n)
            big_floor = median([timed(lambda: floor(big)) for _ in range(args.repeat)])
            bigs = []
            for index in range(max(1, args.repeat - 1)):
                measured, _report = self.lint(big, self.work / f"cache-big-{index}")
                bigs.append(measured.wall)
            big_cold = median(bigs)
            big_peak = self.peak_memory(big, args.scale_n)
            ratio = big_cold / cold
            self.figures.update(
                scale_floor_s=big_floor,
                scale_cold_s=big_cold,
                scale_ratio=ratio,
                scale_peak_mb=big_peak,
            )
            self.say(f"floor: C compose of N={args.scale_n}", f"{big_floor:.3f} s")
            self.say(f"full lint N={args.scale_n}, cold", f"{big_cold:.3f} s")
            self.say(f"  N={args.scale_n} / N={n}", f"{ratio:.2f}x", "<= 4.4x", ratio <= 4.4)
            self.say(
                f"  peak memory N={args.scale_n}",
                f"{big_peak:.0f} MB",
                "<= 500 MB",
                big_peak <= 500,
            )

        # -- checkov
        self.checkov(root, cold)

    def peak_memory(self, root: Path, n: int) -> float:
        """The peak memory of one more cold lint, sampled: a run of its own, because reading
        /proc/PID/smaps_rollup 50 times a second slows the process it measures."""
        measured, _report = self.lint(root, self.work / f"cache-memory-{n}", mem=True)
        return measured.peak_mb

    def lsp(self, root: Path, n: int) -> float:
        from pygls.workspace.position_codec import PositionCodec

        from k8slint.lint.load import ParseCache
        from k8slint.lint.lsp import OpenDocument, lint_documents

        caches: dict[Path, ParseCache] = {}  # kept between lints, as the server keeps them
        codec = PositionCodec(encoding="utf-16")
        path = (root / f"k8s/base/app-{n // 2}/workload.yaml").resolve()
        text = path.read_text()
        document = OpenDocument(path.as_uri(), path, 1, text)
        env = self.env(self.work / f"cache-cold-{n}-0")
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            lint_documents([document], [root], codec, caches)  # the server's first, on open
            times = []
            for version in range(2, 2 + max(5, self.args.repeat)):
                edited = text.replace("memory: 64Mi", f"memory: {60 + version}Mi")
                document = OpenDocument(path.as_uri(), path, version, edited)
                times.append(timed(lambda d=document: lint_documents([d], [root], codec, caches)))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return median(times)

    def render(self, root: Path, n: int) -> None:
        overlay = f"k8s/overlays/{OVERLAYS[0]}"
        out = self.work / "render.yaml"
        renders = [
            run([*K8SLINT, "render", overlay, "-o", str(out)], root, self.env(None)).wall
            for _ in range(self.args.repeat)
        ]
        ours = median(renders)
        self.figures["render_s"] = ours
        self.say(f"k8slint render of one overlay, N={n}", f"{ours:.3f} s")
        kubectl = shutil.which("kubectl")
        if kubectl is None or self.args.no_kubectl_identity:
            self.say("kubectl kustomize", "not run (kubectl not on PATH)")
            return
        small = self.repo(self.args.identity_n)
        for env_name in OVERLAYS:
            self.identical(small, f"k8s/overlays/{env_name}", kubectl, self.args.identity_n)
        if self.args.no_kubectl:
            self.say(f"kubectl kustomize N={n}", "not run (--no-kubectl)")
            return
        expected = self.work / "kubectl.yaml"
        theirs = run([kubectl, "kustomize", overlay], root, None, expected).wall
        self.figures["kubectl_s"] = theirs
        same = _objects(expected) == _objects(out)
        self.say(f"kubectl kustomize of one overlay, N={n}", f"{theirs:.1f} s")
        self.say(
            "  kubectl / k8slint render",
            f"{theirs / ours:.0f}x",
            ">= 50x, identical objects: " + ("yes" if same else "NO"),
            theirs / ours >= 50 and same,
        )

    def identical(self, root: Path, overlay: str, kubectl: str, n: int) -> None:
        ours, theirs = self.work / "small-render.yaml", self.work / "small-kubectl.yaml"
        run([*K8SLINT, "render", overlay, "-o", str(ours)], root, self.env(None))
        run([kubectl, "kustomize", overlay], root, None, theirs)
        a, b = _objects(ours), _objects(theirs)
        self.say(
            f"  render {overlay} N={n} == kubectl kustomize",
            f"{len(a)} objects",
            "identical",
            a == b,
        )

    def checkov(self, root: Path, cold: float) -> None:
        if self.args.no_checkov:
            self.say("checkov", "not run (--no-checkov)")
            return
        checkov = self.args.checkov or shutil.which("checkov")
        if checkov is None:
            self.say("checkov", "not run (not installed; --checkov PATH)")
            return
        # the kubernetes framework only: checkov's kustomize framework shells out to `kustomize
        # build` per overlay (kubectl's takes 201 s each here), which would flatter the ratio
        measured = run(
            [checkov, "-d", ".", "--framework", "kubernetes", "--quiet", "--compact"],
            root,
            None,
            self.work / "checkov.txt",
            sample_memory=True,
        )
        self.figures.update(checkov_s=measured.wall, checkov_peak_mb=measured.peak_mb)
        self.say(
            f"checkov N={self.args.n}", f"{measured.wall:.1f} s", f"peak {measured.peak_mb:.0f} MB"
        )
        ratio = measured.wall / cold
        self.figures["checkov_ratio"] = ratio
        self.say("  checkov / k8slint cold", f"{ratio:.0f}x", ">= 30x", ratio >= 30)


def _objects(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        docs = [d for d in yaml.load_all(handle, Loader=yaml.CSafeLoader) if d is not None]
    return sorted(json.dumps(d, sort_keys=True) for d in docs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="app groups [1000]")
    parser.add_argument(
        "--scale-n", type=int, default=4000, help="the scaling run's app groups, 0: skip [4000]"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median) [3]")
    parser.add_argument(
        "--no-kubectl",
        action="store_true",
        help="skip `kubectl kustomize` at N (minutes at N=1000); the small-N identity still runs",
    )
    parser.add_argument("--no-kubectl-identity", action="store_true", help="skip kubectl entirely")
    parser.add_argument("--identity-n", type=int, default=50, help="N of the identity check [50]")
    parser.add_argument("--checkov", help="the checkov executable [checkov on PATH]")
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--no-lsp", action="store_true", help="skip the language-server figure")
    parser.add_argument("--jobs", type=int, help="k8slint --jobs for the lint runs [its default]")
    parser.add_argument("--workdir", type=Path, help="keep the repositories here [a temp dir]")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        work = args.workdir.resolve()
        for stale in work.glob("cache-*"):
            shutil.rmtree(stale)
        bench = Bench(args, work)
        bench.main()
    else:
        with tempfile.TemporaryDirectory(prefix="k8slint-bench-") as tmp:
            bench = Bench(args, Path(tmp))
            bench.main()
    if args.json is not None:
        args.json.write_text(json.dumps(bench.figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
