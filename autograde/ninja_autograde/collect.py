"""The course's `nbgrader collect`: only what a student handed in, and only from that student.

nbgrader's exchange is a folder every account may write, and a submission's name is only a name:
`inbound/STUDENT+ASSIGNMENT+TIMESTAMP+RANDOM` says whose work it is, anyone can make one, and what
is inside is whatever its maker put there. nbgrader's own collect, running as the instructor, copies
it with `shutil.copytree`: it follows symbolic links (to the course's secret, its gradebook, a
solution notebook, /dev/zero), reads named pipes, and takes a folder named for a classmate with a
warning ("cheating attempt?"). `SafeCollect` (configured as `c.ExchangeFactory.collect`, so
`nbgrader collect`, the Formgrader's Collect button and anything else driving nbgrader's exchange use
it) takes a submission only if every entry of it is

- a regular file or a folder, looked up with `lstat` relative to its already opened folder (never
  through a path), opened with `O_NOFOLLOW` (and `O_NONBLOCK`, so a pipe swapped in cannot stall it),
  and checked again with `fstat` after opening: a symbolic link, a pipe, a socket or a device, or an
  entry replaced while being read, is refused;
- owned by the student the folder names: by their account (`pwd.getpwnam`), or, for a student id
  that is no account on this machine, by the account collecting (one account runs the whole
  exchange, as in `make demo` and the tests; a student's account can never hand in as such an id).
  `c.ExchangeCollect.check_owner = False`, nbgrader's own switch, turns this off for exchanges whose
  students all run as one uid (containers), where ownership tells nothing;
- within nbgrader's caps, `CourseDirectory.max_file_size` per file and `CourseDirectory.max_dir_size`
  per submission (kilobytes), counted while copying too (a file that grows is caught), and
  `SafeCollect.max_entries` files and folders;

(entries that nbgrader's `CourseDirectory.ignore` names, such as checkpoints and `__pycache__`, are
left out unopened, as nbgrader does), and if its `timestamp.txt` says the time its folder's name says (as nbgrader's submit writes them),
and the student id is a safe name (letters, digits, `_ . @ -`, not starting with a punctuation
mark: no formula such as `=HYPERLINK(...)`, no `+`, no path or control character).

A submission that fails any check is refused whole, never collected in part: a notebook graded
without the files beside it, or a submission with one file dropped, would be graded as something the
student never handed in, and a silently shortened submission hides the attempt. The refusal names
the student, the entry and the reason (an ERROR line of collect's log, which the Formgrader shows;
`self.refused` keeps them), and the student's next older submission in the exchange is considered in
its place, under nbgrader's usual rules (`--update`, `--before-duedate`): so a folder forged in a
classmate's name cannot hide the classmate's real one, and the copy in `submitted/` stays exactly as
it was unless a submission passes. Every submission is copied into a scratch folder beside its place
in `submitted/` and moved there only when complete. A refusal does not stop the others being
collected, nor make collect fail.

What this cannot do: on a shared exchange a student can still delete or spoil a classmate's
submission folder (nbgrader's submit leaves it writable by all); the spoiled copy is refused and
named, the one collected before stays, the classmate must submit again. Timestamps are the
student's claim. docs/security.md says what a JupyterHub login adds.
"""

import fnmatch
import glob
import os
import pwd
import re
import shutil
import stat
import tempfile

from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import parse_utc
from traitlets import Integer

SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")
OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
CHUNK = 1 << 20


class Refused(Exception):
    """A submission collect will not take: the entry it is about (a path inside it, "" for the whole) and why."""

    def __init__(self, entry, why):
        super().__init__(f"{entry!r} is {why}" if entry else why)


def kind(mode):
    """What an entry that is neither a file nor a folder is, in words."""
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def account(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def matches(name, globs):
    return any(fnmatch.fnmatch(name, glob) for glob in globs)


def check_timestamp(folder, timestamp):
    """Refuse a submission whose timestamp.txt does not say the time its folder's name says (nbgrader's submit
    writes the same into both): without one it would never be late, and a garbled one would stop nbgrader's
    later collects and its grading."""
    try:
        with open(os.path.join(folder, "timestamp.txt")) as f:
            claimed = parse_utc(f.read(100).strip())
    except (OSError, ValueError, OverflowError):
        raise Refused("timestamp.txt", "missing or not a time")
    if claimed != timestamp:
        raise Refused("timestamp.txt", f"{claimed}, not the time the folder's name says ({timestamp})")


class Copy:
    """One submission, copied entry by entry from its open folder into a new folder, every check on the way."""

    def __init__(self, coursedir, max_entries, owner):
        self.coursedir, self.max_entries, self.owner = coursedir, max_entries, owner
        self.max_file, self.max_total = 1000 * coursedir.max_file_size, 1000 * coursedir.max_dir_size
        self.entries = self.total = 0

    def check(self, where, st):
        """Refuse an entry (its lstat) that is not the student's to hand in."""
        self.entries += 1
        if self.entries > self.max_entries:
            raise Refused("", f"more than {self.max_entries} files and folders (SafeCollect.max_entries)")
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            raise Refused(where, kind(st.st_mode))
        if self.owner is not None and st.st_uid != self.owner:
            raise Refused(where, f"owned by {account(st.st_uid)}, not by {account(self.owner)}")
        if stat.S_ISREG(st.st_mode) and st.st_size > self.max_file:
            raise Refused(where, f"{st.st_size} bytes, more than CourseDirectory.max_file_size "
                                 f"({self.max_file // 1000} kB)")

    def open(self, name, parent, where):
        """(fd, is_folder) of name in the open folder parent, never through a link, and only if it is what
        lstat said."""
        before = os.stat(name, dir_fd=parent, follow_symlinks=False)
        if stat.S_ISLNK(before.st_mode):
            raise Refused(where or name, f"a symbolic link (to {os.readlink(name, dir_fd=parent)!r})")
        self.check(where, before)
        folder = stat.S_ISDIR(before.st_mode)
        try:
            fd = os.open(name, OPEN | (os.O_DIRECTORY if folder else 0), dir_fd=parent)
        except OSError as error:
            raise Refused(where or name, f"replaced while being collected ({error.strerror})")
        after = os.fstat(fd)
        if (after.st_dev, after.st_ino, after.st_uid, after.st_mode) != \
                (before.st_dev, before.st_ino, before.st_uid, before.st_mode):
            os.close(fd)
            raise Refused(where or name, "replaced while being collected")
        return fd, folder

    def folder(self, fd, dest, where=""):
        """Copy the open folder fd into the existing folder dest; closes fd."""
        try:
            with os.scandir(fd) as listing:
                names = sorted(entry.name for entry in listing)
            for name in names:
                path = os.path.join(where, name)
                if matches(name, self.coursedir.ignore):     # nbgrader's: checkpoints, __pycache__, feedback
                    continue
                child, folder = self.open(name, fd, path)
                if folder:
                    os.mkdir(os.path.join(dest, name), 0o755)
                    self.folder(child, os.path.join(dest, name), path)
                elif matches(name, self.coursedir.include):
                    self.file(child, os.path.join(dest, name), path)
                else:
                    os.close(child)
        finally:
            os.close(fd)

    def file(self, fd, dest, where):
        """Copy the open regular file fd to dest, counting every byte against the caps; closes fd."""
        size = 0
        with os.fdopen(fd, "rb") as source, open(dest, "xb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                self.total += len(chunk)
                if size > self.max_file:
                    raise Refused(where, f"growing past CourseDirectory.max_file_size ({self.max_file // 1000} kB)")
                if self.total > self.max_total:
                    raise Refused("", f"more than CourseDirectory.max_dir_size ({self.max_total // 1000} kB)")
                out.write(chunk)


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, taking only regular files owned by the student a submission names (module docstring)."""

    max_entries = Integer(1000, help="Files and folders a submission may hold; more and it is refused.").tag(config=True)

    def init_src(self):
        """Every submission of the assignment in the inbound, per student, and the assignment's due date."""
        self.refused = []
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.inbound_path = os.path.join(self.root, self.coursedir.course_id, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        self.student = "" if self.coursedir.student_id in ("", "*") else self.coursedir.student_id   # --student
        pattern = f"{glob.escape(self.student)}*+{glob.escape(self.coursedir.assignment_id)}+*"
        records = [r for r in map(self._path_to_record, glob.glob(os.path.join(self.inbound_path, pattern))) if r]
        self.by_student = groupby(records, lambda record: record["username"])
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None

    def _path_to_record(self, path):
        """nbgrader's record of an inbound folder, or None (and the folder refused) if its name is no submission."""
        name = os.path.basename(path)
        parts = name.rsplit("+", 3)
        try:
            if len(parts) < 3 or parts[1] != self.coursedir.assignment_id:
                raise ValueError
            timestamp = parse_utc(parts[2])
        except (ValueError, OverflowError):
            return self.refuse(parts[0], name, "a folder whose name is not STUDENT+ASSIGNMENT+TIMESTAMP[+RANDOM]")
        if self.student and parts[0] != self.student:
            return None
        if not SAFE_ID.fullmatch(parts[0]):
            return self.refuse(parts[0], name, "the student id is not a safe name")
        return {"username": parts[0], "filename": name, "timestamp": timestamp}

    def refuse(self, student, folder, why):
        self.refused.append((student, folder, str(why)))
        self.log.error("Refused a submission of %r (%r): %s", student, folder, why)

    def candidates(self, student):
        """The student's submissions, most preferred first (nbgrader's rules: newest, or newest before the due date)."""
        records = self._sort_by_timestamp(self.by_student[student])
        if self.before_duedate and self.duedate is not None:
            records = [r for r in records if r["timestamp"] <= self.duedate] + \
                      [r for r in records if r["timestamp"] > self.duedate]
        return records

    def owner(self, student):
        """The uid every entry of the student's submission must have (None: not checked)."""
        if not self.check_owner:
            return None
        try:
            return pwd.getpwnam(student).pw_uid
        except KeyError:
            return os.geteuid()

    def wanted(self, record, dest):
        """Whether nbgrader would copy record over what dest holds (nothing, or an older or other submission)."""
        if not os.path.isdir(dest):
            return True
        existing = self.coursedir.get_existing_timestamp(dest)
        if self.update and (existing is None or record["timestamp"] > existing):
            return True
        return self.before_duedate and existing != record["timestamp"]

    def copy_files(self):
        assignment = self.coursedir.assignment_id
        if not self.by_student:
            self.log.warning(f"No submissions of '{assignment}' for course '{self.coursedir.course_id}' to collect")
        for student in sorted(self.by_student):
            dest = self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment)
            for record in self.candidates(student):
                if not self.wanted(record, dest):
                    self.log.info(f"No newer submission to collect: {student} {assignment}" if self.update else
                                  f"Submission already exists, use --update to update: {student} {assignment}")
                    break
                try:
                    self.take(record, dest, self.owner(student))
                except Refused as why:
                    self.refuse(student, record["filename"], why)
                else:
                    break
        if self.refused:
            self.log.error("Refused %d submission(s) of %s; each is named above", len(self.refused), assignment)

    def take(self, record, dest, owner):
        """Copy the record's submission into a scratch folder beside dest, then put it in dest's place."""
        parent = os.path.dirname(dest)
        new_student = not os.path.isdir(parent)
        os.makedirs(parent, exist_ok=True)
        scratch = tempfile.mkdtemp(prefix=f".{os.path.basename(dest)}.collecting-", dir=parent)
        try:
            os.chmod(scratch, 0o755)
            inbound = os.open(self.inbound_path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                copy = Copy(self.coursedir, self.max_entries, owner)
                fd, folder = copy.open(record["filename"], inbound, "")
                if not folder:
                    os.close(fd)
                    raise Refused("", "not a folder")
                copy.folder(fd, scratch)
            finally:
                os.close(inbound)
            check_timestamp(scratch, record["timestamp"])
            updating = os.path.isdir(dest)
            if updating:
                os.rename(dest, scratch + ".replaced")
            os.rename(scratch, dest)
        except BaseException:
            shutil.rmtree(scratch)
            if new_student:
                os.rmdir(parent)
            raise
        if updating:
            shutil.rmtree(scratch + ".replaced")
        self.log.info(f"{'Updating' if updating else 'Collecting'} submission: {os.path.basename(parent)} "
                      f"{self.coursedir.assignment_id}")
