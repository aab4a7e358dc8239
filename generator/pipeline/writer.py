"""Write documents safely: inside the folder, atomically, all or none, under a lock.

Contract: every file pitchkit writes into an output folder or a workspace goes through one
:class:`Folder`: inside it, never through a symbolic link below it, atomically (a temporary file
in the same folder, its name starting with a dot and ending in ``.tmp``, renamed into place), so
a build killed at any moment leaves either the old or the new complete file; a failure is a
:class:`BuildError` saying what to do. :meth:`Folder.stage` and :meth:`Folder.commit` write a set
of files all or none: every file is on disk before the first takes its place.
:meth:`Folder.remove_stale_temporaries` removes what a killed build left behind.
:class:`OutputLock` keeps two builds from interleaving (the second one is refused) and gives the
output folder's :class:`Folder`, so documents are written under the lock.

The documents' bytes are made reproducible before they get here: OOXML packages by
:mod:`generator.ooxml.package`, PDFs by :mod:`generator.export.normalize`.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import stat
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from generator.errors import BuildError

# What Folder.stage (.tmp) and the PDF export (.part) leave behind when killed: a dot, the
# document's name, mkstemp's 8 random characters, the suffix.
_TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.(?:tmp|part)")


class Folder:
    """Every write below ``root`` (the output folder, or a workspace for ``init``).

    Contract: a path must lie below ``root`` (lexically, ``..`` refused), and no folder or file
    below ``root`` is reached through a symbolic link: a link is refused with a
    :class:`BuildError` naming it, so nothing outside is written, replaced or deleted. ``root``
    itself is resolved once (a linked output folder is the user's own choice). On POSIX every
    step opens the next folder relative to the one before with ``O_NOFOLLOW``, so a link cannot
    be slipped in between check and use; elsewhere each step is checked with ``lstat``.
    Writes are atomic (a dot-named ``.tmp`` beside the target, fsync, rename). Documents get
    their folder through :class:`OutputLock`, so they are written under the build's lock.
    """

    def __init__(self, root: Path) -> None:
        self.given = Path(os.path.abspath(root))
        self.root = self.given.resolve()

    # -- finding the way down, never through a link -----------------------------------------

    def _parts(self, path: Path) -> tuple[str, ...]:
        """The names below the root that lead to ``path`` (given as it is, or resolved)."""
        full = Path(os.path.normpath(os.path.abspath(path)))
        for root in (self.given, self.root):
            if full.is_relative_to(root):
                parts = full.relative_to(root).parts
                break
        else:
            raise BuildError(f"refusing to write outside {self.root}: {path}")
        if not parts:
            raise BuildError(f"refusing to write {path}: it is the folder {self.root} itself")
        return parts

    def _link_error(self, parts: Sequence[str]) -> BuildError:
        link = self.root.joinpath(*parts)
        return BuildError(
            f"{link} is a symbolic link; pitchkit never writes through a link inside "
            f"{self.root} (it could point anywhere). Remove the link, or put a real folder or "
            "file in its place, then run the command again"
        )

    @contextlib.contextmanager
    def _parent(self, path: Path, create: bool = True) -> Iterator[tuple[int | None, str]]:
        """``(folder, name)`` of ``path``: an open folder descriptor and the last name, or (where
        the OS has no folder descriptors) ``None`` and the checked full path. Yields nothing when
        a folder is missing and ``create`` is false (FileNotFoundError)."""
        parts = self._parts(path)
        if create:
            self.root.mkdir(parents=True, exist_ok=True)  # the folder the user chose (or -o)
        if not _DIR_FD:
            current = self.root
            for depth, name in enumerate(parts[:-1], 1):
                current = current / name
                if current.is_symlink():
                    raise self._link_error(parts[:depth])
                if not current.exists():
                    if not create:
                        raise FileNotFoundError(str(current))
                    current.mkdir(exist_ok=True)
            yield None, str(self.root.joinpath(*parts))
            return
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            for depth, name in enumerate(parts[:-1], 1):
                try:
                    below = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, 0o777, dir_fd=fd)
                    below = self._open_below(fd, name, parts[:depth])
                except OSError:
                    below = self._open_below(fd, name, parts[:depth])
                os.close(fd)
                fd = below
            yield fd, parts[-1]
        finally:
            os.close(fd)

    def _open_below(self, fd: int, name: str, parts: Sequence[str]) -> int:
        """Open folder ``name`` in ``fd`` after a first try failed: a link is named as such."""
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError:
            if _is_link(fd, name):
                raise self._link_error(parts) from None
            raise

    def _refuse_link(self, fd: int | None, name: str, path: Path) -> None:
        if _is_link(fd, name):
            raise self._link_error(self._parts(path))

    def check(self, path: Path) -> None:
        """Raise the error a write of ``path`` would meet on a link, before anything is written
        (folders that do not exist yet are fine)."""
        parts = self._parts(path)
        current = self.root
        for depth, name in enumerate(parts, 1):
            current = current / name
            if current.is_symlink():
                raise self._link_error(parts[:depth])
            if not current.exists():
                return

    # -- reading ---------------------------------------------------------------------------

    def exists(self, path: Path) -> bool:
        """Whether ``path`` exists (a link below the root is refused, not followed)."""
        try:
            with self._parent(path, create=False) as (fd, name):
                os.stat(name, dir_fd=fd, follow_symlinks=False)
                self._refuse_link(fd, name, path)
                return True
        except FileNotFoundError:
            return False

    def names(self, folder: Path) -> list[str]:
        """The names in ``folder`` below the root (empty when it does not exist)."""
        try:
            with self._folder(folder) as fd:
                return sorted(os.listdir(fd if fd is not None else folder))
        except (FileNotFoundError, NotADirectoryError):
            return []

    @contextlib.contextmanager
    def _folder(self, folder: Path) -> Iterator[int | None]:
        """An open descriptor of ``folder`` (the root itself allowed), reached without links."""
        if Path(os.path.normpath(os.path.abspath(folder))) in (self.given, self.root):
            if not _DIR_FD:
                yield None
                return
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        else:
            with self._parent(folder, create=False) as (parent, name):
                if parent is None:
                    if Path(name).is_symlink():
                        raise self._link_error(self._parts(folder))
                    yield None
                    return
                fd = self._open_below(parent, name, self._parts(folder))
        try:
            yield fd
        finally:
            os.close(fd)

    # -- writing ---------------------------------------------------------------------------

    def write(self, path: Path, data: bytes) -> os.stat_result:
        """Write ``data`` to ``path`` atomically (the old file or the new one, even after a power
        cut); returns the new file's status. Raises BuildError saying what to do."""
        staged = self.stage(path, data)
        return self.commit([staged])[0][1]

    def write_all(self, files: Mapping[Path, bytes]) -> list[tuple[Path, os.stat_result]]:
        """Write every file or none: all staged first (a failure removes what was staged), then
        committed (see :meth:`commit`)."""
        staged: list[Staged] = []
        try:
            for path, data in files.items():
                staged.append(self.stage(path, data))
        except BaseException:
            self.discard(staged)
            raise
        return self.commit(staged)

    def stage(self, path: Path, data: bytes) -> Staged:
        """Write ``data`` beside ``path`` under a hidden temporary name, on disk (fsync); it takes
        the target's place only in :meth:`commit`. A failure removes the temporary file."""
        try:
            with self._parent(path) as (fd, name):
                self._refuse_link(fd, name, path)
                mode = _document_mode(fd, name)
                for _attempt in range(100):
                    temporary = f".{Path(name).name}.{_random_tag()}.tmp"
                    if fd is None:
                        temporary = str(Path(name).parent / temporary)
                    try:
                        handle = os.open(temporary, _NEW_FILE, 0o600, dir_fd=fd)
                        break
                    except FileExistsError:
                        continue
                else:
                    raise FileExistsError(f"no free temporary name beside {path}")
                try:
                    with os.fdopen(handle, "wb") as out:
                        # A document gets the permissions a plain save would give it, so
                        # colleagues on a shared folder can still open it.
                        _chmod(out.fileno(), temporary, mode)
                        out.write(data)
                        out.flush()
                        os.fsync(out.fileno())
                    status = os.stat(temporary, dir_fd=fd, follow_symlinks=False)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary, dir_fd=fd)
                    raise
        except OSError as exc:
            raise _write_error(path, exc) from None
        return Staged(path, Path(temporary).name, status)

    def commit(self, staged: Sequence[Staged]) -> list[tuple[Path, os.stat_result]]:
        """Rename every staged file into place, in order; returns (path, status) of each.

        A rename that fails stops the commit: the error names the files already replaced and
        removes the temporary files of the rest, which stay as they were.
        """
        done: list[tuple[Path, os.stat_result]] = []
        try:
            for item in staged:
                with self._parent(item.path, create=False) as (fd, name):
                    self._refuse_link(fd, name, item.path)
                    source = (
                        item.temporary
                        if fd is not None
                        else str(Path(name).parent / item.temporary)
                    )
                    os.replace(source, name, src_dir_fd=fd, dst_dir_fd=fd)
                    if fd is not None:
                        _fsync_folder(fd)
                done.append((item.path, item.status))
        except OSError as exc:
            failed = staged[len(done)]
            self.discard(staged[len(done) :])
            error = _write_error(failed.path, exc)
            if done:
                written = ", ".join(str(p) for p, _ in done)
                error = BuildError(f"{error}. Already written: {written}; the others were not")
            raise error from None
        except BaseException:
            self.discard(staged[len(done) :])
            raise
        return done

    def discard(self, staged: Sequence[Staged]) -> None:
        """Remove staged temporary files (what a failed or refused step leaves)."""
        for item in staged:
            with (
                contextlib.suppress(OSError, BuildError),
                self._parent(item.path, create=False) as (fd, name),
            ):
                target = (
                    item.temporary if fd is not None else str(Path(name).parent / item.temporary)
                )
                os.unlink(target, dir_fd=fd)

    def create(self, path: Path, data: bytes) -> bool:
        """Write ``path`` only if nothing has that name yet; False when something does (it is
        left as it is). Never writes through a link."""
        try:
            with self._parent(path) as (fd, name):
                try:
                    handle = os.open(name, _NEW_FILE, 0o666, dir_fd=fd)
                except FileExistsError:
                    return False
                try:
                    with os.fdopen(handle, "wb") as out:
                        out.write(data)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=fd)
                    raise
                return True
        except OSError as exc:
            raise _write_error(path, exc) from None

    def append(self, path: Path, data: bytes) -> None:
        """Add ``data`` at the end of the existing file ``path`` (kept in place, not replaced)."""
        try:
            with self._parent(path) as (fd, name):
                self._refuse_link(fd, name, path)
                flags = os.O_WRONLY | os.O_APPEND | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
                handle = os.open(name, flags, dir_fd=fd)
                with os.fdopen(handle, "ab") as out:
                    out.write(data)
        except OSError as exc:
            raise _write_error(path, exc) from None

    def remove(self, path: Path) -> bool:
        """Delete the file ``path`` (a link is removed itself, never what it points to)."""
        try:
            with self._parent(path, create=False) as (fd, name):
                os.unlink(name, dir_fd=fd)
                return True
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise BuildError(f"cannot delete {path} ({exc.strerror or exc})") from None

    def mkdir(self, path: Path) -> None:
        """Make the folder ``path`` (and those above it) below the root, never through a link."""
        with self._parent(path / "x") as (_fd, _name):
            pass

    def remove_stale_temporaries(self, depth: int = 3) -> list[Path]:
        """Remove temporary files a killed write left below the root, ``depth`` folders deep.

        Call it only while holding the :class:`OutputLock`: then no other build is writing them.
        Only names of the form ``.<document>.<8 characters>.tmp`` (or ``.part``) are touched;
        links are neither followed nor removed.
        """
        removed: list[Path] = []
        folders = [self.root]
        for _level in range(depth):
            below = []
            for folder in folders:
                for name in self.names(folder):
                    candidate = folder / name
                    try:
                        kind = self.kind(candidate)
                    except BuildError:
                        continue
                    if kind == "folder":
                        below.append(candidate)
                    elif kind == "file" and _TEMPORARY.fullmatch(name) and self.remove(candidate):
                        removed.append(candidate)
            folders = below
        return removed

    def kind(self, path: Path) -> str | None:
        """What ``path`` is: file, folder, link or other (None: missing); never follows a link."""
        try:
            with self._parent(path, create=False) as (fd, name):
                mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            return "link"
        if stat.S_ISDIR(mode):
            return "folder"
        return "file" if stat.S_ISREG(mode) else "other"


@dataclass(frozen=True)
class Staged:
    """A file written beside its target under a temporary name, until :meth:`Folder.commit`."""

    path: Path
    temporary: str
    status: os.stat_result


_DIR_FD = os.name == "posix" and os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_NEW_FILE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | _NOFOLLOW
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _random_tag() -> str:
    """8 characters, as mkstemp's (what :data:`_TEMPORARY` recognises)."""
    return "".join(random.choices(string.ascii_lowercase + string.digits + "_", k=8))


def _is_link(fd: int | None, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _write_error(path: Path, exc: OSError) -> BuildError:
    return BuildError(
        f"cannot write {path} ({exc.strerror or exc}); if the document is open in "
        "PowerPoint or Word, close it; check that the folder is writable and the disk is "
        "not full; then build again (nothing was written: the earlier files are unchanged)"
    )


def _document_mode(fd: int | None, name: str) -> int:
    """The earlier file's permissions, else what ``open()`` would give a new file (umask)."""
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _chmod(handle: int, name: str, mode: int) -> None:
    if os.chmod in os.supports_fd:
        os.chmod(handle, mode)
    else:  # Windows: only the read-only bit exists
        os.chmod(name, mode)


def _fsync_folder(fd: int) -> None:
    """Make a rename in the folder ``fd`` durable (POSIX; Windows neither can nor needs to)."""
    with contextlib.suppress(OSError):
        os.fsync(fd)  # some file systems (network shares) refuse fsync on a folder


def check_targets(out: Path, paths: list[Path]) -> None:
    """Refuse a set of paths that would overwrite each other, leave ``out`` or go through a
    link below it (before anything is made or written).

    Two paths that differ only in upper and lower case are the same file on Windows and macOS.
    """
    root = Path(os.path.normpath(os.path.abspath(out)))
    seen: dict[str, Path] = {}
    for path in paths:
        # Lexically: a link below the output folder is refused by Folder, naming the link.
        full = os.path.normpath(os.path.abspath(path))
        if not Path(full).is_relative_to(root):
            raise BuildError(f"refusing to write outside the output folder {root}: {path}")
        key = full.casefold()
        if key in seen:
            raise BuildError(
                f"two documents would be written to the same file: {seen[key]} and {path}; "
                "rename a project folder or an audience key so that their names differ"
            )
        seen[key] = path
    folder = Folder(out)
    for path in paths:
        folder.check(path)


class OutputLock:
    """An exclusive lock on the output folder for the length of a build; entering it gives the
    guarded :class:`Folder` that every write into the output folder goes through."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / ".pitchkit.lock"
        self._handle: io.BufferedRandom | None = None

    def __enter__(self) -> Folder:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            output = Folder(self.folder)
            with output._parent(output.root / self.path.name) as (fd, name):
                flags = os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
                try:
                    raw = os.open(name, flags, 0o666, dir_fd=fd)
                except OSError:
                    output._refuse_link(fd, name, output.root / self.path.name)
                    raise
            handle = os.fdopen(raw, "a+b")  # held open (and locked) for the whole build
        except OSError as exc:
            raise BuildError(
                f"cannot use {self.folder} as the output folder ({exc.strerror or exc}); "
                "choose a folder you can write to with -o"
            ) from None
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows
            import msvcrt

            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            except OSError:
                handle.close()
                raise self._busy() from None
        except OSError:
            handle.close()
            raise self._busy() from None
        self._handle = handle
        return output

    def _busy(self) -> BuildError:
        return BuildError(
            f"another pitchkit build is writing to {self.folder} right now; wait until it has "
            "finished, then build again (nothing was written by this one)"
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
