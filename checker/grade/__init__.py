"""`stagewise grade`: grade a class's Dockerfiles by building them for real, in parallel, safely, resumably.

    from checker.grade import GradeOptions, discover, grade_class
    summary = grade_class(discover(Path("submissions"), exercise="node-nginx"), GradeOptions(out=Path("out")),
                          engine)
"""

from .runner import GradeError, GradeOptions, GradeRun, Reporter, Summary, grade_class
from .sandbox import ResourceLimits, parse_bytes
from .store import Status, StudentResult
from .submissions import ClassList, Entry, RosterError, discover
from .unpack import Refused, UnpackLimits

__all__ = ["ClassList", "Entry", "GradeError", "GradeOptions", "GradeRun", "Refused", "Reporter",
           "ResourceLimits", "RosterError", "Status", "StudentResult", "Summary", "UnpackLimits", "discover",
           "grade_class", "parse_bytes"]
