"""Questionnaires as data: the model, the file loader and answer validation.

Pure Python (no Flask outside :mod:`.cli`), so the analysis and the tests can
use it without an application.
"""

from survey_app.questionnaire.answers import Answer, ParseResult, export_value, parse_answers
from survey_app.questionnaire.loader import (
    REFERENCE_FILES,
    Problem,
    QuestionnaireError,
    load_directory,
    load_questionnaire,
    parse_questionnaire_text,
    validate_directory,
)
from survey_app.questionnaire.model import (
    GROUP_CODE_PATTERN,
    Condition,
    Item,
    ItemType,
    Option,
    Questionnaire,
    Section,
    Text,
)

__all__ = [
    "GROUP_CODE_PATTERN",
    "REFERENCE_FILES",
    "Answer",
    "Condition",
    "Item",
    "ItemType",
    "Option",
    "ParseResult",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "Section",
    "Text",
    "export_value",
    "load_directory",
    "load_questionnaire",
    "parse_answers",
    "parse_questionnaire_text",
    "validate_directory",
]
