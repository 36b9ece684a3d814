"""Round-trip editing of INI files such as ``~/.aws/config``.

An edit changes only the lines of one section. Every other byte stays as it
was: comments, blank lines, section order, indentation, nested blocks
(``s3 =`` followed by indented keys), CRLF line endings, a UTF-8 byte order
mark. A file without a final newline gets one before an appended section.

Reading values is left to botocore's own loader (see ``awsfiles``). This
module only finds section and key lines, by the rules of Python's
``configparser``, which botocore uses.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from typing import Union
from dataclasses import dataclass, field
from pathlib import Path

from credhelper.atomic import write_atomic
from credhelper.errors import ConfigurationError

BOM = "\ufeff"
_SECTION_RE = re.compile(r"\[(?P<name>.+)\]")
_KEY_RE = re.compile(r"(?P<key>[^=:\s][^=:]*?)\s*[=:]")


SectionIdentity = Callable[[str], object]
Value = Union[str, Mapping[str, str]]


def raw_identity(name: str) -> object:
    """Identify a section by its exact header text, as configparser does."""
    return name


def botocore_identity(name: str) -> object:
    """Identify a section of the AWS config file the way botocore's loader does.

    botocore (configloader.build_profile_map) splits a header that starts with
    ``profile``, ``sso-session`` or ``services`` with shlex and keeps it only
    when there are two parts, so ``[profile dev]``, ``[profile "dev"]`` and
    ``[profile  dev]`` all name profile ``dev``. ``[default]`` is profile
    ``default`` too.
    """
    for kind in ("profile", "sso-session", "services"):
        if name.startswith(kind):
            try:
                parts = shlex.split(name)
            except ValueError:
                return ("unparsed", name)
            return (kind, parts[1]) if len(parts) == 2 else ("unparsed", name)
    if name == "default":
        return ("profile", "default")
    return ("other", name)


@dataclass
class _Section:
    name: str
    header: int  # index of the header line
    end: int  # index one past the last line of the section
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (first, last + 1)


class IniDocument:
    """The lines of one INI file, with its newline style and byte order mark kept."""

    def __init__(self, text: str, source: Path | str = "<memory>", identity: SectionIdentity = raw_identity) -> None:
        self.source = source
        self.identity = identity
        self.bom = text.startswith(BOM)
        if self.bom:
            text = text[len(BOM) :]
        self.newline = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
        self.lines = text.splitlines(keepends=True)
        self.sections = self._scan()

    @classmethod
    def load(cls, path: Path, identity: SectionIdentity = raw_identity) -> IniDocument:
        """Read ``path``; a missing file is an empty document."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls("", path, identity)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ConfigurationError(
                f"{path} is not valid UTF-8 (byte {error.start}); fix or re-save it as UTF-8"
            ) from error
        return cls(text, path, identity)

    def text(self) -> str:
        return (BOM if self.bom else "") + "".join(self.lines)

    def save(self, path: Path, *, backup: bool = True) -> None:
        """Write the document back atomically, keeping a ``.bak`` of the old file unless ``backup`` is false."""
        write_atomic(path, self.text().encode("utf-8"), backup=backup)

    def section_names(self) -> list[str]:
        return [section.name for section in self.sections]

    def has_section(self, name: str) -> bool:
        return self._find(name) is not None

    def keys(self, section_name: str) -> list[str]:
        """Return the lower-cased keys of a section, or [] when it does not exist."""
        section = self._find(section_name)
        return list(section.keys) if section else []

    def set_values(self, section_name: str, values: Mapping[str, Value], remove: tuple[str, ...] = ()) -> None:
        """Set ``values`` and delete the keys in ``remove`` in one section, creating it if needed.

        A key that exists keeps its place; a new key goes after the section's
        last key line, before any comment that introduces the next section.
        A mapping value becomes a nested block (``s3 =`` and indented keys).
        """
        for key, value in values.items():
            if isinstance(value, str):
                _check_value(key, value)
            else:
                _check_value(key, "")
                for sub_key, sub_value in value.items():
                    _check_value(sub_key, sub_value)
        section = self._find(section_name)
        if section is None:
            self._append_section(section_name, values)
            return

        # Work from the bottom up so that earlier line indexes stay valid.
        edits: list[tuple[int, int, list[str]]] = []
        for key in remove:
            if key in section.keys and key not in values:
                first, last = section.keys[key]
                edits.append((first, last, []))
        new_lines: list[str] = []
        for key, value in values.items():
            if key in section.keys:
                first, last = section.keys[key]
                old_line = self.lines[first]
                # Keep the key's indentation: configparser reads an indented
                # key after a less indented one as a continuation line.
                indent = old_line[: len(old_line) - len(old_line.lstrip())]
                edits.append((first, last, self._render(key, value, indent)))
            else:
                new_lines.extend(self._render(key, value, ""))
        if new_lines:
            insert_at = self._body_end(section)
            if insert_at > 0 and not self.lines[insert_at - 1].endswith(("\n", "\r")):
                self.lines[insert_at - 1] += self.newline
            edits.append((insert_at, insert_at, new_lines))
        for first, last, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
            self.lines[first:last] = replacement
        self.sections = self._scan()

    def remove_section(self, section_name: str) -> bool:
        """Delete a section and its lines; return whether it existed.

        Comment lines directly above the next header are kept, because they
        describe that section.
        """
        section = self._find(section_name)
        if section is None:
            return False
        end = self._body_end(section)
        while end < section.end and not self.lines[end].strip():
            end += 1
        start = section.header
        if end >= len(self.lines):
            # Last section: also drop the blank lines that separated it.
            while start > 0 and not self.lines[start - 1].strip():
                start -= 1
        del self.lines[start:end]
        self.sections = self._scan()
        return True

    def _find(self, name: str) -> _Section | None:
        wanted = self.identity(name)
        for section in self.sections:
            if self.identity(section.name) == wanted:
                return section
        return None

    def _body_end(self, section: _Section) -> int:
        """Index one past the last header, key or continuation line of ``section``."""
        last = section.header
        for first_key, end_key in section.keys.values():
            last = max(last, end_key - 1)
        return last + 1

    def _append_section(self, name: str, values: Mapping[str, str]) -> None:
        if self.lines and not self.lines[-1].endswith(("\n", "\r")):
            self.lines[-1] += self.newline
        if self.lines and self.lines[-1].strip():
            self.lines.append(self.newline)
        self.lines.append(f"[{name}]{self.newline}")
        for key, value in values.items():
            self.lines.extend(self._render(key, value, ""))
        self.sections = self._scan()

    def _render(self, key: str, value: Value, indent: str) -> list[str]:
        if isinstance(value, str):
            return [f"{indent}{key} = {value}{self.newline}"]
        lines = [f"{indent}{key} ={self.newline}"]
        lines.extend(f"{indent}    {sub_key} = {sub_value}{self.newline}" for sub_key, sub_value in value.items())
        return lines

    def _scan(self) -> list[_Section]:
        """Find sections and keys, raising on what configparser would reject."""
        sections: list[_Section] = []
        seen: dict[object, int] = {}
        current: _Section | None = None
        current_key: str | None = None
        key_indent = 0
        for index, raw in enumerate(self.lines):
            stripped = raw.strip()
            if not stripped:
                continue
            if stripped.startswith(("#", ";")):
                continue
            indent = len(raw) - len(raw.lstrip())
            if indent > key_indent and current is not None and current_key is not None:
                first, _ = current.keys[current_key]
                current.keys[current_key] = (first, index + 1)
                continue
            header = _SECTION_RE.match(stripped)
            if header:
                name = header.group("name")
                identity = self.identity(name)
                if identity in seen:
                    raise ConfigurationError(
                        f"{self.source}: section [{name}] appears twice, on lines "
                        f"{seen[identity] + 1} and {index + 1}; merge them into one and retry"
                    )
                seen[identity] = index
                if current is not None:
                    current.end = index
                current = _Section(name, index, len(self.lines))
                sections.append(current)
                current_key = None
                continue
            if current is None:
                raise ConfigurationError(
                    f"{self.source}: line {index + 1} is outside any [section]; "
                    "add a section header above it or remove it"
                )
            key_match = _KEY_RE.match(stripped)
            if key_match is None:
                raise ConfigurationError(
                    f"{self.source}: line {index + 1} in [{current.name}] is not 'key = value'; fix that line"
                )
            key = key_match.group("key").strip().lower()
            if key in current.keys:
                raise ConfigurationError(
                    f"{self.source}: key {key!r} appears twice in [{current.name}], on lines "
                    f"{current.keys[key][0] + 1} and {index + 1}; keep one of them"
                )
            current.keys[key] = (index, index + 1)
            current_key = key
            key_indent = indent
        return sections


def _check_value(key: str, value: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", key):
        raise ValueError(f"invalid INI key {key!r}")
    if "\n" in value or "\r" in value:
        raise ValueError(f"value for {key!r} contains a line break")
    if value and value != value.strip():
        raise ValueError(f"value for {key!r} has leading or trailing white space")
