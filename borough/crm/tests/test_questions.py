"""clean_answers: strings (or lists of strings) as forms and Open311 send them, to typed answers; every problem
reported under `answers.<code>`."""

import pytest
from django.core.exceptions import ValidationError

from borough.crm.models import ServiceQuestion
from borough.crm.questions import clean_answers

BINS = [{"key": "general", "name": "General waste"}, {"key": "recycling", "name": "Recycling"}]
WASTE = [{"key": "rubble", "name": "Rubble"}, {"key": "tyres", "name": "Tyres"}, {"key": "sofa", "name": "Furniture"}]
QUESTIONS = [
    ServiceQuestion(code="note", prompt="Anything else?", kind="text"),
    ServiceQuestion(code="depth", prompt="How deep?", kind="number"),
    ServiceQuestion(code="seen", prompt="When did you see it?", kind="datetime"),
    ServiceQuestion(code="bin", prompt="Which bin?", kind="single_choice", choices=BINS, required=True),
    ServiceQuestion(code="waste", prompt="What was dumped?", kind="multi_choice", choices=WASTE),
]


def clean(raw):
    return clean_answers(None, raw, questions=QUESTIONS)


@pytest.mark.parametrize(
    ("raw", "typed"),
    [
        ({"bin": "general"}, {"bin": "general"}),
        ({"bin": ["recycling"]}, {"bin": "recycling"}),  # a form's list of one
        ({"bin": "general waste"}, {"bin": "general"}),  # by its name, any case
        ({"bin": "general", "depth": "7"}, {"bin": "general", "depth": 7}),
        ({"bin": "general", "depth": " 2.5 "}, {"bin": "general", "depth": 2.5}),
        ({"bin": "general", "depth": 12}, {"bin": "general", "depth": 12}),
        ({"bin": "general", "depth": "1,200"}, {"bin": "general", "depth": 1200}),
        ({"bin": "general", "seen": "2026-01-19"}, {"bin": "general", "seen": "2026-01-19"}),
        ({"bin": "general", "seen": "2026-01-19 07:30"}, {"bin": "general", "seen": "2026-01-19T07:30"}),
        ({"bin": "general", "waste": ["tyres", "rubble", "tyres"]}, {"bin": "general", "waste": ["tyres", "rubble"]}),
        ({"bin": "general", "waste": "sofa"}, {"bin": "general", "waste": ["sofa"]}),
        ({"bin": "general", "waste": [], "note": "  ", "depth": ""}, {"bin": "general"}),  # blanks are left out
        ({"bin": "general", "note": " By the gate "}, {"bin": "general", "note": "By the gate"}),
        ({"bin": "general", "easting": "451234"}, {"bin": "general"}),  # codes the service does not ask
    ],
)
def test_answers_are_typed(raw, typed):
    assert clean(raw) == typed


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ({}, {"answers.bin": ["Select an answer to “Which bin?”"]}),
        (None, {"answers.bin": ["Select an answer to “Which bin?”"]}),
        ({"bin": "purple"}, {"answers.bin": ["“purple” is not one of the choices: General waste, Recycling"]}),
        ({"bin": ["general", "recycling"]}, {"answers.bin": ["Give one answer"]}),
        ({"bin": "general", "depth": "deep"}, {"answers.depth": ["Enter a number, like 12 or 2.5"]}),
        ({"bin": "general", "depth": "Infinity"}, {"answers.depth": ["Enter a number, like 12 or 2.5"]}),
        ({"bin": "general", "depth": "1e400"}, {"answers.depth": ["Enter a number, like 12 or 2.5"]}),
        ({"bin": "general", "depth": True}, {"answers.depth": ["Give the answer as text"]}),
        (
            {"bin": "general", "seen": "yesterday"},
            {"answers.seen": ["Enter a date like 2026-01-19, or a date and time like 2026-01-19 07:30"]},
        ),
        (
            {"bin": "general", "seen": "2026-02-30"},
            {"answers.seen": ["Enter a date like 2026-01-19, or a date and time like 2026-01-19 07:30"]},
        ),
        (
            {"bin": "general", "waste": ["tyres", "fridge"]},
            {"answers.waste": ["“fridge” is not one of the choices: Rubble, Tyres, Furniture"]},
        ),
        ({"bin": "general", "note": "x" * 2001}, {"answers.note": ["Use 2000 characters or fewer (this has 2001)"]}),
        (
            {"bin": "purple", "depth": "deep"},
            {
                "answers.bin": ["“purple” is not one of the choices: General waste, Recycling"],
                "answers.depth": ["Enter a number, like 12 or 2.5"],
            },
        ),
        (["bin"], {"answers": ["Give the answers as an object of question code to answer"]}),
    ],
)
def test_bad_answers_are_reported_by_question(raw, errors):
    with pytest.raises(ValidationError) as raised:
        clean(raw)
    assert raised.value.message_dict == errors
