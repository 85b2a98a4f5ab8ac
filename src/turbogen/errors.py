"""Errors that a user can act on. The CLI prints their message and exits non-zero, no traceback."""


class TurbogenError(Exception):
    """Base class: the message says what was wrong and what is accepted."""

    exit_code = 2


class InputError(TurbogenError):
    """A prompt, file or option that cannot be used as given."""


class PlanError(TurbogenError):
    """A request that cannot become a valid ScenePlan: unknown words, contradictions, no room."""


class PlannerUnavailable(TurbogenError):
    """A planner backend could not be reached or loaded (endpoint down, model missing)."""

    exit_code = 3


class AccelError(TurbogenError):
    """An acceleration method that does not exist or cannot apply to the model given."""
