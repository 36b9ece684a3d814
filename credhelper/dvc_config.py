"""Reading a DVC repository's remote settings from ``.dvc/config`` and ``.dvc/config.local``.

DVC writes these files with configobj, which quotes section names that
contain spaces (``['remote "storage"']``) and indents options. The standard
``configparser`` reads both forms. ``config.local`` overrides ``config``
option by option, as DVC merges them.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

from credhelper.errors import ConfigurationError

CONFIG_FILES = ("config", "config.local")
_REMOTE_SECTION_RE = re.compile(r'remote\s+"([^"]+)"')


@dataclass(frozen=True)
class DvcRemote:
    """One remote: its merged options, and the file that set each option last."""

    name: str
    options: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)

    @property
    def url(self) -> str | None:
        return self.options.get("url")


@dataclass(frozen=True)
class DvcConfig:
    """The remotes and the default remote of one repository."""

    root: Path  # the folder that contains .dvc
    default_remote: str | None = None
    remotes: dict[str, DvcRemote] = field(default_factory=dict)


def find_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` that contains a ``.dvc`` folder, or None."""
    for folder in (start, *start.parents):
        if (folder / ".dvc").is_dir():
            return folder
    return None


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _read(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, inline_comment_prefixes=("#",))
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        pass
    except (configparser.Error, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot parse {path}: {error}; fix that file (dvc config --list reads it)") from error
    return parser


def load(root: Path) -> DvcConfig:
    """Read and merge ``config`` and ``config.local`` in ``root/.dvc``.

    Raises ConfigurationError when a file cannot be parsed. DVC's global and
    system config files are not read.
    """
    default_remote = None
    options: dict[str, dict[str, str]] = {}
    sources: dict[str, dict[str, Path]] = {}
    for name in CONFIG_FILES:
        path = root / ".dvc" / name
        parser = _read(path)
        for section in parser.sections():
            section_name = _unquote(section)
            if section_name == "core" and parser.has_option(section, "remote"):
                default_remote = _unquote(parser.get(section, "remote"))
                continue
            match = _REMOTE_SECTION_RE.fullmatch(section_name)
            if match is None:
                continue
            remote = match.group(1)
            for key, value in parser.items(section):
                options.setdefault(remote, {})[key] = _unquote(value)
                sources.setdefault(remote, {})[key] = path

    remotes = {name: DvcRemote(name, options[name], sources[name]) for name in options}
    return DvcConfig(root=root, default_remote=default_remote or None, remotes=remotes)


def s3_bucket(url: str) -> str | None:
    """Return the bucket of an ``s3://BUCKET/PATH`` URL, or None for any other URL."""
    if not url.startswith("s3://"):
        return None
    bucket = url[len("s3://") :].split("/", 1)[0]
    return bucket or None
