"""Open Legal Acts: the window and report rules on Kazakhstan's calendar, structured text, and every service's
permission, phase rule and event."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ashyq.dialogue.errors import Conflict
from ashyq.legalacts import rules, selectors, services, structure
from ashyq.legalacts.models import ActType, CommentStatus, Decision, Phase, Process, ProcessEvent, Stage

from .legalacts_helpers import DRAFT_KK, DRAFT_RU, publish, rule  # noqa: F401

MON_BEFORE_NAURYZ = dt.date(2026, 3, 16)  # Nauryz 2026: 21-23 March, with 24 and 25 March off in lieu


# --- the window rule on the calendar's edges -------------------------------------------------------------


def test_window_of_ten_calendar_days_counts_weekends_and_holidays(rule):
    assert rules.earliest_close(rule, ActType.RULES, MON_BEFORE_NAURYZ) == dt.date(2026, 3, 26)


def test_service_standard_needs_ten_working_days_past_nauryz(rule):
    # 17-20 March are days 1-4; 21-25 March are off; 26, 27, 30, 31 March, 1 and 2 April are days 5-10.
    assert rules.earliest_close(rule, ActType.SERVICE_STANDARD, MON_BEFORE_NAURYZ) == dt.date(2026, 4, 2)


def test_service_standard_across_new_year_and_orthodox_christmas(rule):
    # 29-31 Dec are days 1-3; 1-4 Jan are off; 5, 6 Jan; 7 Jan off; 8, 11, 12, 13, 14 Jan.
    assert rules.earliest_close(rule, ActType.SERVICE_STANDARD, dt.date(2026, 12, 28)) == dt.date(2027, 1, 14)


def test_report_due_ten_working_days_after_closing_over_the_new_year(rule):
    assert rules.report_due(rule, dt.date(2026, 12, 31)) == dt.date(2027, 1, 19)


@pytest.mark.parametrize(
    "act_type,closes_on,ok",
    [
        (ActType.RULES, dt.date(2026, 3, 25), False),
        (ActType.RULES, dt.date(2026, 3, 26), True),
        (ActType.SERVICE_STANDARD, dt.date(2026, 4, 1), False),
        (ActType.SERVICE_STANDARD, dt.date(2026, 4, 2), True),
    ],
)
def test_publishing_enforces_the_window(people, rule, at, act_type, closes_on, ok):
    with at(dt.date(2026, 3, 16)):
        if ok:
            process = publish(people["official"], opens_on=MON_BEFORE_NAURYZ, closes_on=closes_on, act_type=act_type)
            assert process.rule == rule and process.closes_on == closes_on
        else:
            with pytest.raises(ValidationError) as error:
                publish(people["official"], opens_on=MON_BEFORE_NAURYZ, closes_on=closes_on, act_type=act_type)
            assert "closes_on" in error.value.message_dict
            assert not Process.objects.exists()


def test_cannot_open_in_the_past(people, rule, at):
    with at(dt.date(2026, 3, 17)), pytest.raises(ValidationError) as error:
        publish(people["official"], opens_on=MON_BEFORE_NAURYZ)
    assert "opens_on" in error.value.message_dict


def test_a_rule_in_use_is_frozen(people, rule, at):
    with at(MON_BEFORE_NAURYZ):
        publish(people["official"], opens_on=MON_BEFORE_NAURYZ)
    rule.min_calendar_days = 5
    with pytest.raises(ValueError):
        rule.save()


def test_phases_follow_the_dates(people, rule, at):
    with at(dt.date(2026, 3, 10)):
        process = publish(people["official"], opens_on=MON_BEFORE_NAURYZ, closes_on=dt.date(2026, 3, 30))
    assert rules.phase(process, dt.date(2026, 3, 15)) == Phase.ANNOUNCED
    assert rules.days_left(process, dt.date(2026, 3, 15)) == 1
    assert rules.phase(process, MON_BEFORE_NAURYZ) == Phase.OPEN
    assert rules.days_left(process, dt.date(2026, 3, 30)) == 0
    assert rules.phase(process, dt.date(2026, 3, 31)) == Phase.CLOSED
    # 30 March + 10 working days = 13 April; overdue from the day after.
    assert process.report_due_on == dt.date(2026, 4, 13)
    assert not rules.report_overdue(process, dt.date(2026, 4, 13))
    assert rules.report_overdue(process, dt.date(2026, 4, 14))


def test_lists_by_phase(people, rule, at):
    with at(dt.date(2026, 3, 1)):
        upcoming = publish(people["official"], opens_on=dt.date(2026, 3, 20), closes_on=dt.date(2026, 4, 10))
        current = publish(people["official"], opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 25))
        earlier = publish(people["other_official"], opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 11))
    with at(dt.date(2026, 3, 15)):
        assert list(selectors.filtered_processes(when="open")) == [current]
        assert list(selectors.filtered_processes(when="upcoming")) == [upcoming]
        assert list(selectors.filtered_processes(when="past")) == [earlier]
        assert list(selectors.filtered_processes(body=people["other_official"].body)) == [earlier]
        assert list(selectors.filtered_processes(phase="closed")) == [earlier]


# --- structured text ---------------------------------------------------------------------------------------


def test_parse_gives_akn_identifiers():
    blocks = structure.parse(DRAFT_RU)
    assert [b.eid for b in blocks] == [
        "preamble",
        "chp_1",
        "chp_1__para_1",
        "chp_1__para_2",
        "chp_1__para_2__point_1",
        "chp_1__para_2__point_2",
        "chp_2",
        "chp_2__para_3",
    ]
    chapter = blocks[1]
    assert chapter.heading == "Общие положения"
    assert blocks[4].text.startswith("1) при обращении")


def test_articles_under_chapters_and_kazakh_numbering():
    text = "### 2-тарау. Құқықтар\n\n5-бап. Өтініш беру\n\n1. Бірінші тармақ.\n\n2. Екінші тармақ.\n"
    assert [b.eid for b in structure.parse(text)] == ["chp_2", "chp_2__art_5", "chp_2__art_5__para_1", "chp_2__art_5__para_2"]


def test_plain_text_and_duplicate_numbers_stay_unique():
    text = "Глава 1\n1. Один.\n1. Опять один.\nпродолжение\n"
    blocks = structure.parse(text)
    assert [b.eid for b in blocks] == ["chp_1", "chp_1__para_1", "chp_1__para_1_2"]
    assert blocks[2].text == "1. Опять один.\nпродолжение"


def test_languages_must_have_the_same_provisions():
    with pytest.raises(ValidationError) as error:
        structure.merge({"kk": DRAFT_KK.replace("3. Шағым", "Шағым"), "ru": DRAFT_RU}, require_same_structure=True)
    assert "chp_2__para_3" in str(error.value)


def _docx(paragraphs) -> bytes:
    from docx import Document

    document = Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_headings_and_points():
    data = _docx([("Heading 1", "Проект"), ("Heading 3", "Глава 1. Общие"), (None, "1. Первый пункт."), (None, "1) подпункт.")])
    text, fmt = structure.read_source(data, "draft.docx")
    assert fmt == "docx"
    assert [b.eid for b in structure.parse(text)] == ["chp_1", "chp_1__para_1", "chp_1__para_1__point_1"]


@pytest.mark.parametrize("data,name", [(b"not a zip", "x.docx"), (b"\xff\xfe\x00bad", "x.txt"), (b"text", "x.pdf")])
def test_unreadable_uploads_are_refused_clearly(data, name):
    with pytest.raises(ValidationError) as error:
        structure.read_source(data, name)
    assert "source" in error.value.message_dict


# --- services --------------------------------------------------------------------------------------------


@pytest.fixture
def open_process(people, rule, at):
    with at(MON_BEFORE_NAURYZ):
        return publish(people["official"], opens_on=MON_BEFORE_NAURYZ, closes_on=dt.date(2026, 3, 30))


def test_only_body_staff_publish(people, rule, at):
    for role in ("applicant", "moderator", "monitor"):
        with at(MON_BEFORE_NAURYZ), pytest.raises(PermissionDenied):
            publish(people[role], opens_on=MON_BEFORE_NAURYZ)
    assert not Process.objects.exists()


def test_comment_stays_on_its_provision_across_versions(people, open_process, at):
    with at(dt.date(2026, 3, 17)):
        item = services.comment(
            people["applicant"],
            open_process,
            provision_eid="chp_1__para_2__point_1",
            text="Пять дней — слишком долго.",
            quote="пять рабочих дней",
        )
        version = services.new_version(
            people["official"],
            open_process,
            text_kk=DRAFT_KK.replace("бес", "үш"),
            text_ru=DRAFT_RU.replace("пять", "три"),
            note="Срок сокращён",
        )
    assert item.version.number == 1 and version.number == 2
    assert version.provisions.filter(eid=item.provision_eid).get().text_ru.startswith("1) при обращении в ЦОН – три")
    assert item.status == CommentStatus.PENDING
    assert list(open_process.events.values_list("kind", flat=True)) == ["published", "commented", "new_version"]


def test_comment_outside_the_window_or_on_a_missing_point(people, open_process, at):
    with at(dt.date(2026, 3, 31)), pytest.raises(Conflict):
        services.comment(people["applicant"], open_process, provision_eid="chp_1__para_1", text="Поздно")
    with at(dt.date(2026, 3, 17)):
        with pytest.raises(ValidationError):
            services.comment(people["applicant"], open_process, provision_eid="chp_9__para_1", text="?")
        with pytest.raises(ValidationError):
            services.comment(people["applicant"], open_process, provision_eid="chp_1__para_1", text="?", quote="нет такого")
    assert not open_process.comments.exists()


def test_comment_copy_is_redacted_and_moderated(people, open_process, at):
    with at(dt.date(2026, 3, 17)):
        item = services.comment(
            people["applicant"], open_process, provision_eid="chp_1__para_1", text="Пишите мне: aigul@example.kz"
        )
        assert "aigul@example.kz" not in item.public_text
        with pytest.raises(PermissionDenied):
            services.moderate(people["official"], item, "publish")
        services.moderate(people["moderator"], item, "publish")
        with pytest.raises(Conflict):
            services.moderate(people["moderator"], item, "publish")
        services.report_abuse(people["other_applicant"], item, "оскорбление")
        with pytest.raises(Conflict):
            services.report_abuse(people["other_applicant"], item, "ещё раз")
    assert [c.pk for c in selectors.moderation_queue()] == [item.pk]


def test_support_and_oppose_are_counted_once_per_person(people, open_process, at):
    with at(dt.date(2026, 3, 17)):
        item = services.comment(people["applicant"], open_process, text="Общий комментарий")
        services.moderate(people["moderator"], item, "publish")
        services.set_stance(people["other_applicant"], item, True)
        services.set_stance(people["other_applicant"], item, True)
        services.set_stance(people["monitor"], item, False)
        item = services.set_stance(people["moderator"], item, True)
        assert (item.supports, item.opposes) == (2, 1)
        item = services.set_stance(people["moderator"], item, None)
        assert (item.supports, item.opposes) == (1, 1)
        with pytest.raises(PermissionDenied):
            services.set_stance(people["applicant"], item, True)


def test_report_needs_every_comment_answered_with_a_reason_then_adoption(people, open_process, at):
    with at(dt.date(2026, 3, 17)):
        first = services.comment(people["applicant"], open_process, provision_eid="chp_1__para_1", text="Хорошо")
        second = services.comment(people["other_applicant"], open_process, provision_eid="chp_2__para_3", text="Куда именно?")
        refused = services.comment(people["other_applicant"], open_process, text="спам")
        with pytest.raises(Conflict):
            services.adopt(people["official"], open_process, number="1", adopted_on=dt.date(2026, 3, 17))
    with at(dt.date(2026, 3, 31)):
        with pytest.raises(Conflict) as error:
            services.publish_report(people["official"], open_process)
        assert "moderation" in str(error.value)
        for item in (first, second):
            services.moderate(people["moderator"], item, "publish")
        services.moderate(people["moderator"], refused, "refuse")
        services.reply(people["official"], second, "Уточним в следующей редакции.")
        services.decide(people["official"], first, Decision.ACCEPTED, "Поддержано.")
        with pytest.raises(Conflict) as error:
            services.publish_report(people["official"], open_process)
        assert "1 comments" in str(error.value)
        with pytest.raises(ValidationError):
            services.decide(people["official"], second, Decision.PARTLY, "   ")
        with pytest.raises(PermissionDenied):
            services.decide(people["other_official"], second, Decision.PARTLY, "Чужой орган")
        with pytest.raises(Conflict):
            services.decide(people["official"], refused, Decision.REJECTED, "Отказано модерацией")
        services.decide(people["official"], second, Decision.PARTLY, "Указан орган в пункте 3.")
        services.publish_report(people["official"], open_process, "Итоги")
        with pytest.raises(Conflict):
            services.decide(people["official"], second, Decision.REJECTED, "Передумали")
        assert selectors.comment_counts(open_process)["answered"] == 2
    with at(dt.date(2026, 4, 20)):
        with pytest.raises(ValidationError):
            services.adopt(people["official"], open_process, number="15", adopted_on=dt.date(2026, 5, 1))
        act = services.adopt(
            people["head"], open_process, number="15", adopted_on=dt.date(2026, 4, 20), registration_number="20001"
        )
    open_process.refresh_from_db()
    assert open_process.stage == Stage.ADOPTED
    assert act.versions.get().provisions.filter(eid="chp_1__para_2__point_2").exists()
    assert list(open_process.events.values_list("kind", flat=True))[-3:] == ["decided", "report_published", "adopted"]


def test_report_not_before_closing_and_late_report_is_recorded(people, open_process, at):
    with at(dt.date(2026, 3, 30)), pytest.raises(Conflict):
        services.publish_report(people["official"], open_process)
    with at(dt.date(2026, 4, 14)):
        assert [p.pk for p in selectors.overdue_reports()] == [open_process.pk]
        services.publish_report(people["official"], open_process)
        assert open_process.events.get(kind="report_published").data == {"late": True}
        assert selectors.overdue_reports() == []


def test_window_can_be_extended_not_shortened(people, open_process, at):
    with at(dt.date(2026, 3, 20)):
        with pytest.raises(ValidationError):
            services.extend_window(people["official"], open_process, dt.date(2026, 3, 29))
        process = services.extend_window(people["official"], open_process, dt.date(2026, 4, 6))
    assert process.report_due_on == rules.report_due(process.rule, dt.date(2026, 4, 6))
    with at(dt.date(2026, 4, 7)), pytest.raises(Conflict):
        services.extend_window(people["official"], open_process, dt.date(2026, 4, 20))


def test_withdrawal_ends_the_process(people, open_process, at):
    with at(dt.date(2026, 3, 20)):
        with pytest.raises(PermissionDenied):
            services.withdraw(people["other_head"], open_process, "нет")
        services.withdraw(people["head"], open_process, "Отозван")
        with pytest.raises(Conflict):
            services.withdraw(people["head"], open_process, "ещё раз")
        with pytest.raises(Conflict):
            services.comment(people["applicant"], open_process, text="?")


def test_events_are_append_only(people, open_process):
    event = open_process.events.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        ProcessEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        ProcessEvent.objects.update(kind="x")
