"""One legal step of an appeal's life, taken through the services by whoever may take it: the tests that drive appeals
along many paths (the record's invariants, the route's stays) share it so that they walk the same steps."""

import datetime as dt

from ashyq.dialogue import services

STEPS = ("assign", "redirect", "redirect_back", "extend", "answer", "feedback", "complain", "withdraw")


def take_step(step, appeal, people, bodies):
    """Take `step` on `appeal` as the staff or head of the body that holds it (or as its applicant); a complaint
    returns the new appeal it registers, every other step returns None."""
    assert step in STEPS, step
    at_agency = appeal.body.slug == "anti-corruption-agency"
    staff = people["official"] if at_agency else people["other_official"]
    head = people["head"] if at_agency else people["other_head"]
    if step == "assign":
        services.assign_executor(staff, appeal, staff)
    elif step == "redirect":
        services.redirect_appeal(staff, appeal, bodies["general-prosecutors-office"], "Competence.")
    elif step == "redirect_back":
        services.redirect_appeal(staff, appeal, bodies["anti-corruption-agency"], "Back.")
    elif step == "extend":
        services.extend_deadline(head, appeal, dt.date(2026, 12, 18), "More time.")
    elif step == "answer":
        services.answer_appeal(staff, appeal, text="Answer.", outcome="resolved")
    elif step == "feedback":
        services.record_feedback(appeal.applicant, appeal, resolution="yes", rating=5)
    elif step == "complain":
        return services.complain_about_answer(appeal.applicant, appeal, text="Not enough.")
    elif step == "withdraw":
        services.withdraw_appeal(appeal.applicant, appeal)
    return None
