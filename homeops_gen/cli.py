"""The ``homeops-gen`` command: parse arguments, call the library, map results to exit codes."""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from homeops_gen.errors import HomeopsError

if TYPE_CHECKING:
    from homeops_gen import pipeline, writer

# The pipeline (pydantic, jinja2, PyYAML and every generator) is imported only by
# the commands that run it, so --help and --version start as fast as Python does.

COMMANDS = ("generate", "diff", "validate", "init", "import", "compare")
"""The sub-commands; ``generate`` is the default when none is given."""

DEFAULT_COMMAND = "generate"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homeops-gen",
        description="Generate every layer of the GitOps monorepo from cluster.py.",
        epilog="Without a command, homeops-gen runs generate (homeops-gen --check is "
        "homeops-gen generate --check). homeops-gen COMMAND --help describes each command.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    _common(parser)
    parser.set_defaults(directory=Path("."), debug=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    generate = _command(
        commands,
        "generate",
        "write out/ and the root files from cluster.py (the default command)",
        "Write out/ and the root files (devenv.nix, .sops.yaml, ...) from cluster.py. "
        "Files edited by hand and files homeops-gen did not write are never replaced "
        "without --force.",
    )
    generate.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a file would change, appear or disappear",
    )
    generate.add_argument(
        "--force", action="store_true", help="replace files edited by hand or not written by us"
    )
    _strict(generate)
    diff = _command(
        commands,
        "diff",
        "print the unified diff of what generate would change",
        "Print the unified diff of what generate would change; writes nothing.",
    )
    diff.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 1 when there are differences (like git diff --exit-code)",
    )
    diff.add_argument(
        "--base",
        metavar="REF",
        help="compare with the generated files committed at REF (a Git commit, branch or tag) "
        "instead of the working tree",
    )
    shown = diff.add_mutually_exclusive_group()
    shown.add_argument(
        "--stat",
        action="store_true",
        help="print one line per changed file and the totals instead of the diff",
    )
    shown.add_argument(
        "--flux",
        action="store_true",
        help="print the difference of what Flux applies (kubectl kustomize of every Flux "
        "Kustomization's path, before and after) instead of the files' diff",
    )
    _strict(diff)
    validate = _command(
        commands,
        "validate",
        "run every check of the output, external tools included",
        "Render everything from cluster.py and run every check of the output, "
        "kubectl kustomize and kubernetes-validate included (pip install "
        "'homeops-gen[validate]'); writes nothing. Prints what each check ran and why any "
        "was skipped.",
    )
    _strict(validate)
    validate.add_argument(
        "--online",
        action="store_true",
        help="also ask the chart registries and the Talos Image Factory that every version, "
        "extension and installer image exists (the only command that uses the network)",
    )
    init = _command(
        commands,
        "init",
        "start a new project: a starter cluster.py",
        "Start a new project: a starter cluster.py (every value marked CHANGE is an example) "
        "and the .gitignore block. An existing cluster.py is never overwritten.",
    )
    init.add_argument(
        "folder",
        nargs="?",
        type=Path,
        metavar="DIR",
        help="the folder of the new project, relative to -C (default: .)",
    )
    import_ = _command(
        commands,
        "import",
        "write cluster.py from an existing repository",
        "Write cluster.py (into -C DIR) and the files it refers to from an existing "
        "home-ops repository, and report what was mapped. SOURCE is never written to; "
        "out/ is not written.",
    )
    import_.add_argument("folder", type=Path, metavar="SOURCE", help="the repository to read")
    import_.add_argument("--force", action="store_true", help="replace an existing cluster.py")
    compare = _command(
        commands,
        "compare",
        "compare what Flux applies from a repository with the project, object by object",
        "Build what Flux applies from SOURCE (each Flux Kustomization's path, as "
        "kustomize-controller builds it) and from the project's generated tree (-C DIR), and "
        "name every object missing or different without a reason in the import report. "
        "Writes nothing; exits 1 on an unexplained difference.",
    )
    compare.add_argument("folder", type=Path, metavar="SOURCE", help="the repository to read")
    return parser


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=description)
    # What a command has no option for is off, so running it reads one kind of namespace.
    command.set_defaults(
        check=False,
        force=False,
        strict=False,
        exit_code=False,
        folder=None,
        base=None,
        stat=False,
        flux=False,
        online=False,
    )
    _common(command)
    return command


def _common(parser: argparse.ArgumentParser) -> None:
    """-C and --debug, before the command or after it. Their defaults are the main parser's
    alone: a command's parser would replace a value given before the command with its own."""
    parser.add_argument(
        "-C",
        dest="directory",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="work on the project in DIR (its cluster.py, out/ and root files), like make -C",
    )
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )


def _strict(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _parse(argv: list[str]) -> argparse.Namespace:
    """The arguments; an option the command does not take is refused with that command's
    usage (argparse would show the main usage, which lists no command's options)."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = _subparser(parser, args.command)
        command.error(
            f"unrecognized arguments: {' '.join(unknown)} "
            f"(homeops-gen {args.command} --help lists its options)"
        )
    return args


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[name]
            return found
    return parser


class _Version(argparse.Action):
    """Prints the version constant (no package metadata is read)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from homeops_gen import __version__

        sys.stdout.write(f"{parser.prog} {__version__}\n")
        parser.exit()


def _with_command(argv: list[str]) -> list[str]:
    """``argv`` with ``generate`` in front when it names no command (``homeops-gen --check``,
    ``homeops-gen -C DIR``), unless it only asks for the help or the version."""
    expects_value = False
    for arg in argv:
        if expects_value:
            expects_value = False
        elif arg == "-C":
            expects_value = True
        elif arg == "--" or not arg.startswith("-"):
            return argv  # a command (or a wrong word, which argparse names)
        elif arg in ("-h", "--help", "--version"):
            return argv
    return [DEFAULT_COMMAND, *argv]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 differences or refusal, 2 bad input)."""
    return _main(_parse(_with_command(list(sys.argv[1:] if argv is None else argv))))


def _main(args: argparse.Namespace) -> int:
    # A run is short and builds few reference cycles: the cyclic garbage collector only
    # costs time here (about 8% at 1000 apps, the same peak memory; see make bench).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(args, sys.stdout)
    except HomeopsError as exc:
        if args.debug:
            import traceback

            traceback.print_exc()
        print(f"homeops-gen: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        if collecting:
            gc.enable()


UNFINISHED = 2
"""The exit code of a run that ended before it finished (``os._exit`` or a signal in the
model's code): never 0, so CI never takes an unchecked ``out/`` for a checked one."""


def run() -> NoReturn:
    """The ``homeops-gen`` command: :func:`main`, then the process ends at once.

    A command that runs ``cluster.py`` runs in a forked child, which reports its exit code
    through a pipe as its last act: user code that ends the process early (``os._exit(0)``,
    a signal) leaves no report, and the command fails instead of passing unchecked.

    Tearing the interpreter down (freeing every object of the run, one by one) costs
    about a quarter of a ``--check`` (see make bench); the output is flushed and no
    file is left open, so there is nothing left for it to do. An exception (argparse
    exits for --help, or a bug) ends the process the usual way.
    """
    args = _parse(_with_command(sys.argv[1:]))
    if args.command in ("init",) or not hasattr(os, "fork"):
        _end(_main(args))
    report_read, report_write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(report_read)
        code = _main_reporting(args)
        _flush()
        try:
            os.write(report_write, bytes([code & 0xFF]))
        except OSError:  # the waiting parent is gone: nobody to report to
            pass
        os._exit(code)
    os.close(report_write)
    _end(_wait_for_report(child, report_read))


def _main_reporting(args: argparse.Namespace) -> int:
    """:func:`_main` in the child: every way out of it gives a code to report."""
    try:
        return _main(args)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # pragma: no cover (argparse exits before the fork)
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # a bug: its traceback, and a failure
        import traceback

        traceback.print_exc()
        return 1


def _wait_for_report(child: int, report: int) -> int:
    """The exit code the child reported, or :data:`UNFINISHED` when it ended without one."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the child, which reports
    signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGTERM))
    received = b""
    while chunk := os.read(report, 16):
        received += chunk
    _, status = os.waitpid(child, 0)
    if received:
        return received[0]
    if os.WIFSIGNALED(status):
        how = f"was killed by signal {os.WTERMSIG(status)}"
    else:
        how = f"exited with status {os.waitstatus_to_exitcode(status)} without finishing"
    print(
        f"homeops-gen: the run {how} (did cluster.py, or a module it imports, end the "
        "process with os._exit or a signal?); nothing was checked",
        file=sys.stderr,
    )
    return UNFINISHED


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away (homeops-gen diff | head)
            pass


def _end(code: int) -> NoReturn:
    _flush()
    os._exit(code)


def _init(root: Path, out: TextIO) -> int:
    from homeops_gen import writer
    from homeops_gen.starter import NEXT_STEPS, starter_files

    written = writer.start_project(root, starter_files(root.name))
    for rel in written:
        print(f"wrote {root / rel}", file=out)
    out.write(NEXT_STEPS.format(model=root / "cluster.py"))
    return 0


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from homeops_gen import pipeline, writer

    root: Path = args.directory.resolve()
    if args.command == "init":
        return _init((root / args.folder).resolve() if args.folder else root, out)
    if args.command in ("import", "compare"):
        return (_import if args.command == "import" else _compare)(args, root, out)
    result = pipeline.build(root, strict=args.strict, thorough=args.command == "validate")
    for warning in result.project.warnings:
        print(warning, file=sys.stderr)
    if args.command == "validate":
        return _validated(result, args.online, out)
    # One run at a time writes the project, and no run reads it while one writes.
    writing = args.command == "generate" and not args.check
    with writer.locked(root, write=writing):
        return _plan_and_apply(args, result, out)


def _plan_and_apply(args: argparse.Namespace, result: pipeline.Build, out: TextIO) -> int:
    from homeops_gen import pipeline, writer

    plan = pipeline.plan(result)
    for warning in (
        *pipeline.version_changes(result, plan),
        *pipeline.replacement_warnings(result, plan),
    ):
        print(warning, file=sys.stderr)
    for rel in plan.unmanaged:
        print(f"left alone (not generated by homeops-gen): {rel}", file=sys.stderr)
    if args.command == "diff":
        return _diff(args, result, plan, out)
    if args.check:
        return _check(plan, out)
    writer.apply(result.root, plan, force=args.force)
    print(
        f"{len(plan.create)} created, {len(plan.update)} updated, "
        f"{len(plan.delete)} deleted, {len(plan.unchanged)} unchanged",
        file=out,
    )
    return 0


def _diff(args: argparse.Namespace, result: pipeline.Build, plan: writer.Plan, out: TextIO) -> int:
    from homeops_gen import review, writer

    before: Mapping[str, str] | None = None
    if args.base is not None:
        plan, before = review.compare_with_commit(result.root, result.files, args.base)
    if args.stat:
        out.write(review.stat(plan))
    elif args.flux:
        if before is None:  # the working tree
            before = {
                rel: text
                for rel in {*result.files, *plan.current}
                if (text := writer.read_text(result.root / rel)) is not None
            }
        out.write(review.flux_diff(before, result.files))
    else:
        out.write(writer.unified_diff(plan))
    return 1 if args.exit_code and plan.changes else 0


def _validated(result: pipeline.Build, online: bool, out: TextIO) -> int:
    """Say what every check did, and which were skipped and why."""
    from homeops_gen.rules import RULES

    print(
        f"ran: model: {len(RULES)} rules of the model, the files it names (manifests, SOPS "
        "files and their recipients, the Git pull secret's keys), Flux references and "
        "postBuild variables",
        file=out,
    )
    for check in result.checks:
        print(check, file=out)
    if online:
        from homeops_gen import online as network

        for check in network.check(result.project.cluster):
            print(check, file=out)
    else:
        print(
            "skipped: online: not asked (--online asks the chart registries and the Talos Image "
            "Factory whether every version, extension and installer image exists)",
            file=out,
        )
    print(f"{len(result.files)} files valid", file=out)
    return 0


def _import(args: argparse.Namespace, root: Path, out: TextIO) -> int:
    from homeops_gen import pipeline

    adoption = pipeline.import_repository(args.folder, root, force=args.force)
    out.write(adoption.imported.report.text())
    print(f"wrote {len(adoption.written)} file(s) into {root}", file=out)
    if adoption.problems:
        print(f"the imported model does not generate yet: {adoption.problems}", file=sys.stderr)
        return 1
    comparison = adoption.comparison
    failures: list[str] = []
    if comparison is not None:
        out.write(comparison.text())
        if comparison.failed:
            failures.append(
                f"{len(comparison.unexplained)} object(s) the source's Flux tree applies are "
                "missing or different in the generated tree without a reason in the report, "
                f"{len(comparison.unseen)} part(s) of the source make objects nobody compares, "
                f"and {len(comparison.broken)} part(s) of the generated tree do not build "
                "(listed above)"
            )
    lost = adoption.imported.report.lost
    if lost:
        failures.append(
            f"{len(lost)} file(s) the source's Flux tree applies were neither mapped nor copied: "
            + ", ".join(lost)
        )
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        return 1
    print("the imported model generates; review cluster.py, then run homeops-gen", file=out)
    return 0


def _compare(args: argparse.Namespace, root: Path, out: TextIO) -> int:
    from homeops_gen import pipeline

    comparison = pipeline.compare_source(args.folder, root)
    out.write(comparison.text())
    return 1 if comparison.failed else 0


def _check(plan: writer.Plan, out: TextIO) -> int:
    for rel in plan.changes:
        state = "new" if rel in plan.create else "removed" if rel in plan.delete else "changed"
        edited = " (edited by hand)" if rel in plan.edited else ""
        edited = " (not written by homeops-gen)" if rel in plan.foreign else edited
        print(f"{state}: {rel}{edited}", file=out)
    if not plan.changes:
        return 0
    print(f"{len(plan.changes)} file(s) out of date; {_what_to_do(plan)}", file=out)
    return 1


def _what_to_do(plan: writer.Plan) -> str:
    """How to bring the files ``--check`` named up to date: a plain run, unless it would
    refuse (hand edits, files in the way), which only the user can settle."""
    if not plan.conflicts:
        return "run homeops-gen"
    files = " ".join(shlex.quote(rel) for rel in plan.conflicts)
    steps = []
    if plan.edited:
        edited = " ".join(shlex.quote(rel) for rel in plan.edited)
        steps.append(
            f"undo the hand edits (git checkout -- {edited}; move a change you want to keep "
            "into cluster.py)"
        )
    if plan.foreign:
        steps.append(f"move {' '.join(shlex.quote(rel) for rel in plan.foreign)} out of the way")
    return (
        f"homeops-gen will not replace {files} by itself: {', and '.join(steps)}, "
        "then run homeops-gen; or replace them with homeops-gen --force"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
