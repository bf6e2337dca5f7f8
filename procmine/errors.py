"""Errors an end user can act on. Raised with fields; turned into a message only when shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from procmine.labels_de.messages import PROBLEM_FRAME


class ProcmineError(Exception):
    """Base of every error procmine shows to a user (never a bare traceback)."""

    exit_code = 1

    def user_message(self) -> str:
        return str(self)


@dataclass
class InputProblem(ProcmineError):
    """A problem in an input file: where it is, what was found, what was expected, what to do."""

    code: str  # stable reason code, e.g. "missing_column", "bad_encoding"
    file: str
    expected: str = ""
    found: str = ""
    hint: str = ""
    row: int | None = None  # 1-based as a spreadsheet shows it (header = row 1)
    column: str | None = None  # original header text
    sheet: str | None = None
    details: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.user_message())

    def user_message(self) -> str:
        where = [PROBLEM_FRAME["file"].format(file=self.file)]
        if self.sheet:
            where.append(PROBLEM_FRAME["sheet"].format(sheet=self.sheet))
        if self.row is not None:
            where.append(PROBLEM_FRAME["row"].format(row=self.row))
        if self.column:
            where.append(PROBLEM_FRAME["column"].format(column=self.column))
        parts = [", ".join(where) + ":"]
        if self.found:
            parts.append(PROBLEM_FRAME["found"].format(found=self.found))
        if self.expected:
            parts.append(PROBLEM_FRAME["expected"].format(expected=self.expected))
        if self.hint:
            parts.append(PROBLEM_FRAME["hint"].format(hint=self.hint))
        msg = " ".join(parts)
        if self.details:
            msg += "\n" + "\n".join(f"  - {d}" for d in self.details)
        return msg + f" [{self.code}]"


class UsageProblem(ProcmineError):
    """Wrong arguments or a missing setting (exit code 2)."""

    exit_code = 2
