"""Words the pages show for stored values: pure functions, no database."""

from meetbridge.web.presenters import operation_words, outcome_tone, working_hours_summary


def test_a_usual_week_reads_as_one_range():
    hours = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    assert working_hours_summary(hours) == "Mon–Fri 09:00–17:00"


def test_days_with_different_hours_are_listed_apart():
    hours = {
        "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
        "tue": [["09:00", "12:00"], ["13:00", "17:00"]],
        "fri": [["10:00", "14:00"]],
    }
    assert working_hours_summary(hours) == "Mon, Tue 09:00–12:00, 13:00–17:00; Fri 10:00–14:00"


def test_a_gap_in_the_week_breaks_a_group():
    hours = {"mon": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]]}
    assert working_hours_summary(hours) == "Mon 09:00–17:00; Wed 09:00–17:00"


def test_no_hours_at_all_says_so():
    assert working_hours_summary({}) == "No working hours set"


def test_known_google_operations_read_as_sentences():
    assert operation_words("calendar.events.insert") == "Created a calendar event"
    assert operation_words("calendar.freebusy.query") == "Read free/busy times"


def test_unknown_operations_are_tidied_not_hidden():
    assert operation_words("scheduling.consent_granted") == "Scheduling: consent granted"


def test_outcomes_get_a_tone():
    assert outcome_tone("ok") == "ok"
    assert outcome_tone("pending") == "warn"
    assert outcome_tone("unauthorized_client") == "bad"
