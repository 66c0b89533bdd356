"""Parameter forms generated from a workflow's JSON schema and default payload."""

from .params_form import NO_PARAMETERS, ParamsForm

__all__ = ["NO_PARAMETERS", "ParamsForm"]
