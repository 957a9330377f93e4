"""Backprop Ninja's instructor-only side: the referee, the exercises it judges with, the parallel
grader, the class report, calibration and the course tooling.

Never given to students, and never importable from a student's kernel while grading: the only
instructor code a hidden test cell calls is the small `ninja_hidden` package beside this one."""
