"""What an import did with each part of the source: mapped, mapped with a change, not mapped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One finding: the source file, what it was about, and why (for changes and gaps)."""

    file: str
    what: str
    why: str = ""
    renames: bool = False
    """The generated tree applies the object under another namespace or name (so the source's
    identity is missing there, as the report says)."""

    def __str__(self) -> str:
        text = f"{self.file}: {self.what}" if self.file else self.what
        return f"{text} ({self.why})" if self.why else text


@dataclass
class Report:
    """Every finding of one import, in the order they were made."""

    mapped: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)
    """Mapped, but the generated output will differ from the source (``why`` says how)."""
    unmapped: list[Entry] = field(default_factory=list)
    """Not in the model: the user must carry it over by hand (``why`` says why)."""
    files: dict[str, str] = field(default_factory=dict)
    """Every file of the source: ``mapped``, ``copied`` or ``not mapped`` (see :meth:`account`)."""
    lost: list[str] = field(default_factory=list)
    """Files the synced Flux tree applies that were neither mapped nor copied."""

    def map(self, file: str, what: str) -> None:
        """Record that ``what`` of ``file`` is in the model as it was."""
        self.mapped.append(Entry(file, what))

    def change(self, file: str, what: str, why: str, *, renames: bool = False) -> None:
        """Record that ``what`` is in the model, but its output will differ (``why``);
        ``renames``: it is applied under another namespace or name."""
        self.changed.append(Entry(file, what, why, renames))

    def skip(self, file: str, what: str, why: str) -> None:
        """Record that ``what`` could not be put into the model (``why``)."""
        self.unmapped.append(Entry(file, what, why))

    def text(self) -> str:
        """The report as the command prints it."""
        lines: list[str] = []
        for title, entries in (
            ("mapped", self.mapped),
            ("mapped with a change", self.changed),
            ("not mapped", self.unmapped),
        ):
            lines.append(f"{title} ({len(entries)}):")
            lines.extend(f"  {entry}" for entry in entries)
        if self.files:
            counts = {s: list(self.files.values()).count(s) for s in FILE_STATES}
            lines.append(
                f"files of the source: {len(self.files)} = "
                + " + ".join(f"{counts[s]} {s}" for s in FILE_STATES)
            )
        return "\n".join(lines) + "\n"

    def account(self, files: list[str], copied: set[str], applied: set[str]) -> None:
        """Give every source file one state: ``copied`` (into the project), ``mapped`` (a
        finding names it and it is not only in *not mapped*), else ``not mapped`` (with an
        entry saying why, added here when no finding names it). ``applied``: the files the
        synced Flux tree applies; those ending *not mapped* are :attr:`lost`."""
        named = {e.file for e in (*self.mapped, *self.changed)}
        unmapped = {e.file for e in self.unmapped}
        for file in files:
            if file in copied:
                state = "copied"
            elif file in named:
                state = "mapped"
            else:
                state = "not mapped"
                if file not in unmapped:
                    why = (
                        "Flux applies it, but the import did not map it"
                        if file in applied
                        else "not part of what the model describes"
                    )
                    self.skip(file, "file", why)
            if state == "not mapped" and file in applied:
                self.lost.append(file)
            self.files[file] = state


FILE_STATES = ("mapped", "copied", "not mapped")
