"""The course's nbgrader preprocessors, one per file, named after its class, in the order grading runs them.

Before grading (`Autograde.sanitize_preprocessors`): a submission is what the student wrote, with the
release's tests and metadata.

- `WriteAheadLog`: the SQLite gradebook in write-ahead-log mode, so parallel graders do not queue;
- `RefuseLinks`: a submission holding a link, a pipe or a device is refused;
- `RefuseAddedCells`: a notebook with far more cells than the release is refused;
- `RestoreCellMetadata`: each cell's nbgrader metadata is the release's;
- `RestoreDeletedTests`: a test cell the student deleted comes back.

Grading (`Autograde.autograde_preprocessors`):

- `GraderExecute`: nbgrader's Execute with each kernel jailed (`..sandbox`) and the hidden tests
  judged by the referee, outside the kernel;
- `CapOutputs`: every output capped and made inert; `SafeLinks`: Markdown links point nowhere that runs;
- `SaveVerdicts`: each test's verdict stored, as data, beside nbgrader's grades.

Feedback (`GenerateFeedback.preprocessors`): `HideTests`, each test's verdict and never its insides.

nbgrader_config.py names them as `ninja_autograde.preprocessors.NAME`.
"""

from .capoutputs import CapOutputs
from .graderexecute import GraderExecute
from .hidetests import HideTests
from .refuseaddedcells import RefuseAddedCells
from .refuselinks import RefuseLinks
from .restorecellmetadata import RestoreCellMetadata
from .restoredeletedtests import RestoreDeletedTests
from .safelinks import SafeLinks
from .saveverdicts import SaveVerdicts
from .writeaheadlog import WriteAheadLog

__all__ = ["CapOutputs", "GraderExecute", "HideTests", "RefuseAddedCells", "RefuseLinks", "RestoreCellMetadata",
           "RestoreDeletedTests", "SafeLinks", "SaveVerdicts", "WriteAheadLog"]
