"""Writing one benchmark's section of docs/benchmarks.md between its own markers."""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name} benchmark: begin -->", f"<!-- {name} benchmark: end -->"


def replace_section(path: Path, name: str, heading: str, text: str) -> None:
    """Replace the text between ``name``'s markers, or append it under ``heading``."""
    begin, end = markers(name)
    block = f"{begin}\n{text}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if begin in current and end in current:
        before, _, rest = current.partition(begin)
        _, _, after = rest.partition(end)
        current = before + block + after
    else:
        current = current.rstrip("\n") + f"\n\n## {heading}\n\n{block}\n"
    path.write_text(current, encoding="utf-8")
