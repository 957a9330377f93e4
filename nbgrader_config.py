"""The course's settings: the one place for nbgrader's and Backprop Ninja's grading options."""

import os

c = get_config()  # noqa: F821 — provided by nbgrader

HERE = os.path.dirname(os.path.abspath(__file__))

# Course and directories (nbgrader's defaults: source/ release/ submitted/ autograded/ feedback/).
c.CourseDirectory.course_id = "backprop-ninja"
c.CourseDirectory.root = HERE
# One SQLite gradebook. `backprop-ninja grade` writes to it from several processes at once: the
# timeout makes a writer wait up to 60 s for the lock instead of failing. For grading spread over
# machines point this at PostgreSQL instead, e.g. "postgresql://grader@db.example.org/backprop_ninja"
# (driver: pip install -e './autograde[postgres]'; docs/deployment.md).
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db") + "?timeout=60"
c.CourseDirectory.assignment_id = ""

# Collect (nbgrader collect, the Formgrader's Collect button): only regular files owned by the student the
# submission names, never through a link, within CourseDirectory.max_file_size and max_dir_size; anything
# else refuses the submission, names it in the log and keeps the one collected before
# (autograde/ninja_autograde/collect.py).
c.ExchangeFactory.collect = "ninja_autograde.collect.SafeCollect"

# What students get in place of a solution: the def line and docstring stay.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Before grading (the course's preprocessors: autograde/ninja_autograde/preprocessors/, one file each): the
# gradebook in SQLite's write-ahead-log mode (a commit syncs the disk once, not three times, so parallel graders
# do not queue for it; on a network filesystem such as NFS, where SQLite's WAL does not work, set
# c.WriteAheadLog.enabled = False), a submission with symbolic links is refused, every cell's nbgrader metadata
# is the release's (edited metadata restored, foreign graded cells made plain), a test cell the student deleted
# is put back.
# A notebook with more cells than the release's and this many is refused: each cell costs a round trip to the
# kernel, and 50 000 tiny ones would hold a grading worker for hours.
c.RefuseAddedCells.max_added_cells = 500
c.Autograde.sanitize_preprocessors = [
    "ninja_autograde.preprocessors.WriteAheadLog",
    "ninja_autograde.preprocessors.RefuseLinks",
    "ninja_autograde.preprocessors.RefuseAddedCells",
    "nbgrader.preprocessors.ClearOutput",
    "ninja_autograde.preprocessors.RestoreCellMetadata",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "ninja_autograde.preprocessors.RestoreDeletedTests",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Executing student notebooks: nbgrader's pipeline with its Execute step replaced by the course's
# (preprocessors/graderexecute.py): each kernel in a jail (autograde/ninja_autograde/sandbox/: bubblewrap; see
# `backprop-ninja doctor`) under limits on memory, processes, CPU time and file size, hidden tests decided by the
# referee outside the student's kernel, a dead kernel marked and graded rather than fatal.
c.Autograde.autograde_preprocessors = [
    "ninja_autograde.preprocessors.GraderExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "ninja_autograde.preprocessors.CapOutputs",
    "nbconvert.preprocessors.sanitize.SanitizeHTML",
    "ninja_autograde.preprocessors.SafeLinks",       # Markdown links and images: http(s), mailto, #, attachments only
    "nbgrader.preprocessors.SaveAutoGrades",
    "ninja_autograde.preprocessors.SaveVerdicts",    # each failed test's verdict, stored with the grades
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Timeouts for nbgrader's Execute apply to the course's too. Execute.timeout is each cell's budget: in grading,
# the kernel's own CPU seconds where its cgroup measures them (`backprop-ninja doctor` says whether it does here),
# so a busy machine or a classmate's kernel costs no right answer its test; else, as in nbgrader, wall clock.
c.Execute.timeout = 60                 # seconds per cell: an endless loop costs that cell only
c.GraderExecute.hang_guard = 600       # wall-clock seconds a cell may take whatever its CPU use (asleep, starved)
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0
# Each student's hidden-test data is drawn from HMAC(secret, student, assignment, test): the same on every
# regrade, different for each student. The secret is created on first use (mode 0600); keep it out of
# anything released or committed, and out of the student kernels' reach.
c.GraderExecute.secret_file = os.path.join(HERE, ".grader", "secret")
c.GraderKernelManager.memory_limit = 2 * 1024**3   # bytes per student kernel, all its processes together where its
                                                   # cgroup holds them; a bigger allocation raises MemoryError
c.GraderKernelManager.process_limit = 128          # processes and threads per kernel: a fork bomb stops there
c.GraderKernelManager.cpu_limit = 1800             # CPU seconds per process
c.GraderKernelManager.file_size_limit = 64 * 1024**2   # bytes per file written
c.GraderKernelManager.max_message_size = 128 * 1024**2   # bytes per message from a kernel: a larger one is not read
# The referee's own work on a student's answers (ninja_autograde/answers.py): each answer message at most
# this long, uncompressed, holding only the arrays its call can need; per notebook at most this many decoded
# bytes and CPU seconds of judging, after which later tests fail with "the grader's budget ... ran out".
c.GraderExecute.max_answer_size = 64 * 1024**2      # characters of base64 per answer message
c.GraderExecute.max_answer_members = 1000           # arrays per answer message
c.GraderExecute.notebook_answer_bytes = 512 * 1024**2
c.GraderExecute.notebook_judging_seconds = 600      # CPU seconds of the grader's process, per notebook
c.GraderExecute.notebook_output_chars = 64 * 1024**2   # output the grader holds per notebook; then dropped
# The jail refuses to grade where bubblewrap does not work. Only if you accept that every submission
# runs as you, with the gradebook and solutions in reach: c.GraderKernelManager.jail = "none"

# `nbgrader export`: the final grades in reports/grades.csv (never committed), only of the assignments students
# have received, every field safe to open in a spreadsheet (autograde/ninja_autograde/export.py).
c.ExportApp.plugin_class = "ninja_autograde.export.GradesCsv"

# Late work: the due date is the assignment's in the gradebook (`nbgrader db assignment add ASSIGNMENT
# --duedate=...`). "none" keeps a late submission's points and records how late it was (the grade report
# shows it); "zero" gives it no points.
c.LateSubmissionPlugin.penalty_method = "none"

# Output kept in autograded notebooks, hence in feedback and the formgrader (preprocessors/capoutputs.py):
# every output type capped per cell and per notebook, and made inert (plain text and PNG/JPEG only);
# nbconvert's SanitizeHTML then escapes HTML a student wrote in Markdown cells, and SafeLinks
# (preprocessors/safelinks.py) points their links and images nowhere but http(s), mailto, # or an attached image.
c.CapOutputs.max_lines = 200             # per cell
c.CapOutputs.max_cell_chars = 20_000
c.CapOutputs.max_notebook_chars = 1_000_000
c.CapOutputs.max_traceback = 20
c.SanitizeHTML.enabled = True            # nbconvert's preprocessors run only when enabled

# Feedback: scores and each test's verdict, no hidden-test source, no tracebacks into the tests.
c.GenerateFeedback.preprocessors = [
    "ninja_autograde.preprocessors.HideTests",
    "nbgrader.preprocessors.GetGrades",
    "ninja_autograde.preprocessors.SafeLinks",    # the comments GetGrades brings quote exception messages (Markdown)
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The feedback page: nbgrader's, with each test named in its index and its verdict in words
# (autograde/ninja_autograde/templates/feedback_page).
c.GenerateFeedback.exporter_class = "ninja_autograde.feedback.FeedbackExporter"
