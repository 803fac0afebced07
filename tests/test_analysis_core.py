"""Content analysis: language of appeals, the offline classifiers, the train/evaluate commands, how each
body handled an appeal (from its record), and labels that keep who set them."""

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from ashyq.analysis import classifier, routing, services
from ashyq.analysis.models import AppealAnalysis, ClassifierModel, Handling, Label, Source, Task
from ashyq.analysis.text import detect_language, for_classifier, plain
from ashyq.dialogue import services as dialogue

# A small labelled set in Russian and Kazakh (Cyrillic), written for these tests.
EXAMPLES = {
    "corruption": [
        "Сотрудник акимата потребовал взятку за выдачу разрешения на строительство",
        "Инспектор вымогал деньги за подпись акта, иначе грозил штрафом",
        "Участковый сказал, что дело закроют, если я заплачу ему деньги",
        "Врач потребовал деньги за направление на операцию, хотя она бесплатная",
        "Әкімдік қызметкері жер телімін рәсімдеу үшін пара сұрады",
        "Инспектор актіге қол қою үшін ақша талап етті, әйтпесе айыппұл саламын деді",
        "Дәрігер тегін отаға жолдама беру үшін ақша сұрады",
        "Полиция қызметкері істі жабу үшін пара талап етті",
    ],
    "red_tape": [
        "Третий месяц не могу получить справку, каждый раз просят новые документы",
        "Мое заявление на субсидию лежит без движения полгода, ответа нет",
        "Отправляют из одного кабинета в другой, никто не может выдать паспорт техники",
        "Очередь на регистрацию земельного участка не двигается уже год",
        "Анықтама алу үшін үш ай бойы жүрмін, әр жолы жаңа құжат сұрайды",
        "Жәрдемақыға берген өтінішім жарты жыл бойы қаралмай жатыр",
        "Бір кабинеттен екіншісіне жібереді, ешкім құжатты бермейді",
        "Жер телімін тіркеу кезегі бір жыл бойы жылжымай тұр",
    ],
}


def _texts_labels():
    texts, labels = [], []
    for label, rows in EXAMPLES.items():
        texts += rows
        labels += [label] * len(rows)
    return texts, labels


def _write_csv(path, rows, header=("text", "label"), delimiter=",", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return str(path)


# --- language --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, language",
    [
        ("Құрметті әкім! Біздің ауладағы жарық екі ай бойы жанбай тұр, көмектесуіңізді сұраймын.", "kk"),
        ("Уважаемый аким! Во дворе нашего дома уже два месяца не горит освещение, прошу помочь.", "ru"),
        ("Dear Minister, the hospital in our district has had no doctor since March. Please help.", "en"),
        ("Qūrmetti äkim! Bizdiñ auladağy jaryq eki ai boiy janbai tūr, kömektesuiñizdi sūraimyn.", "kk-latn"),
        ("Sálemetsiz be! Bizdiń aýladaǵy jaryq eki aı boıy janbaı tur, kómektesýińizdi suraımyn.", "kk-latn"),
        ("Сәлеметсіз бе! Біздің аулада жарық жоқ, прошу разобраться, потому что дети ходят в темноте и это опасно.", "mixed"),
        ("12345 !!! ???", "und"),
    ],
)
def test_the_language_of_an_appeal_is_recognised_in_either_script_and_when_mixed(text, language):
    assert detect_language(text) == language


def test_html_is_stripped_and_latin_kazakh_is_also_read_in_cyrillic():
    assert plain("<p>Пара&nbsp;<b>сұрады</b></p>") == "Пара сұрады"
    prepared = for_classifier("Äkimdik qyzmetkeri para sūrady, bizdiñ audanda")
    assert "пара" in prepared and "сұрады" in prepared  # the Cyrillic spelling is there for the model


# --- the classifier --------------------------------------------------------------------------------------


def test_a_model_trained_on_kazakh_and_russian_suggests_the_cause_with_the_words_that_point_to_it():
    model = classifier.train(*_texts_labels())
    top = classifier.suggest(model, "Прошу разобраться: чиновник вымогал взятку за разрешение")
    assert top[0].value == "corruption"
    assert any(word in ("взятку", "вымогал", "разрешение") for word in top[0].because)
    # Latin-script Kazakh reaches the same class through its Cyrillic reading.
    assert classifier.suggest(model, "Äkimdik qyzmetkeri jer telimi üşin para sūrady")[0].value == "corruption"
    assert classifier.suggest(model, "Құжат алу үшін жарты жыл жүрмін, кезек жылжымайды")[0].value == "red_tape"


def test_a_single_suggestion_scores_exactly_as_the_pipeline_does_for_many_and_two_classes():
    # suggest() reads one text without the library's per-call checks (the form asks on every keystroke pause):
    # its probabilities must be the pipeline's own, for a model of many classes and for a two-class one.
    texts, labels = _texts_labels()
    two = [lab if lab == "corruption" else "other" for lab in labels]
    asked = ["Прошу разобраться: чиновник вымогал взятку", "Құжат алу үшін жарты жыл жүрмін", "Äkimdik para sūrady", "?"]
    for model in (classifier.train(texts, labels), classifier.train(texts, two)):
        names = classifier.classes(model)
        for text in asked:
            expected = dict(zip(names, classifier.probabilities(model, [text])[0]))
            got = classifier.suggest(model, text, k=len(names))
            assert len(got) == len(names)
            for suggestion in got:
                assert suggestion.score == pytest.approx(expected[suggestion.value], abs=1e-9)


def test_evaluation_reports_top1_top3_and_f1():
    texts, labels = _texts_labels()
    model = classifier.train(texts, labels)
    result = classifier.evaluate(model, texts[:4] + texts[-4:], labels[:4] + labels[-4:])
    assert set(result) >= {"top1_accuracy", "top3_accuracy", "macro_f1", "weighted_f1"}
    assert result["top1_accuracy"] == 1.0 and result["top3_accuracy"] == 1.0
    wrong = classifier.evaluate(model, texts[:2], ["red_tape", "red_tape"])
    assert wrong["top1_accuracy"] == 0.0 and wrong["top3_accuracy"] == 1.0  # two classes: both in the top 3


def test_one_label_cannot_train_a_model():
    with pytest.raises(classifier.TrainingError, match="at least 2 different labels"):
        classifier.train(["a text", "another text"], ["x", "x"])


# --- commands --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_train_and_evaluate_commands_read_html_laden_csv_and_print_the_metrics(tmp_path, capsys):
    texts, labels = _texts_labels()
    rows = [(f"<div><p>{t}</p></div>", lab) for t, lab in zip(texts, labels)]
    train = _write_csv(tmp_path / "train.csv", rows, header=("body_html", "category"), delimiter=";", encoding="utf-8-sig")
    call_command("train_classifier", task="cause", train=train, text_column="body_html", label_column="category")
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 16 and summary["classes"] == 2
    first = ClassifierModel.objects.get(pk=summary["model_id"])
    assert first.active and first.task == "cause" and first.class_counts == {"corruption": 8, "red_tape": 8}

    test = _write_csv(
        tmp_path / "test.csv", [("Полицейский требовал деньги", "corruption"), ("Справку не выдают полгода", "red_tape")]
    )
    call_command("evaluate_classifier", task="cause", test=test, text_column="text", label_column="label")
    result = json.loads(capsys.readouterr().out)
    metrics = result["ashyq"]
    assert metrics["rows"] == 2 and result["model_id"] == first.pk
    for key in ("top1_accuracy", "top3_accuracy", "macro_f1", "weighted_f1", "expected_calibration_error"):
        assert 0 <= metrics[key] <= 1

    # A second training replaces the active model and keeps the first for rollback.
    call_command("train_classifier", task="cause", train=train, text_column="body_html", label_column="category")
    second = json.loads(capsys.readouterr().out)["model_id"]
    first.refresh_from_db()
    assert not first.active and ClassifierModel.objects.get(pk=second).active


@pytest.mark.django_db
def test_bad_training_files_get_a_clear_error_and_leave_the_active_model(tmp_path):
    texts, labels = _texts_labels()
    good = _write_csv(tmp_path / "good.csv", list(zip(texts, labels)))
    call_command("train_classifier", task="sector", train=good, text_column="text", label_column="label", stdout=io.StringIO())
    active = ClassifierModel.objects.get(task="sector", active=True)

    with pytest.raises(CommandError, match="no column 'txt'; the columns are: text, label"):
        call_command("train_classifier", task="sector", train=good, text_column="txt", label_column="label")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("text,label\ncaf\xe9 ferm\xe9,x\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("train_classifier", task="sector", train=str(latin1), text_column="text", label_column="label")
    one_class = _write_csv(tmp_path / "one.csv", [("первый текст обращения", "x"), ("второй текст обращения", "x")])
    with pytest.raises(CommandError, match="at least 2 different labels"):
        call_command("train_classifier", task="sector", train=one_class, text_column="text", label_column="label")
    with pytest.raises(CommandError, match="no such file"):
        call_command("train_classifier", task="sector", train=str(tmp_path / "missing.csv"))
    assert list(ClassifierModel.objects.filter(task="sector", active=True)) == [active]


@pytest.mark.django_db
def test_evaluating_routing_counts_the_redirects_the_first_suggestion_would_have_saved(tmp_path, capsys, bodies):
    texts, labels = _texts_labels()
    bodies_of = {"corruption": "anti-corruption-agency", "red_tape": "general-prosecutors-office"}
    train = _write_csv(tmp_path / "train.csv", [(t, bodies_of[lab]) for t, lab in zip(texts, labels)])
    call_command("train_classifier", task="routing", train=train, stdout=io.StringIO())
    test = _write_csv(
        tmp_path / "test.csv",
        [
            ("Участковый вымогал взятку", "anti-corruption-agency", "ministry-of-internal-affairs"),  # redirected; saved
            ("Справку не выдают полгода, просят новые документы", "general-prosecutors-office", "general-prosecutors-office"),
        ],
        header=("text", "label", "first_body"),
    )
    call_command("evaluate_classifier", task="routing", test=test, first_body_column="first_body")
    result = json.loads(capsys.readouterr().out)["ashyq"]
    assert result["redirected_in_test"] == 1
    assert result["redirects_saved_by_top1"] == 1 and result["redirects_saved_share"] == 1.0


@pytest.mark.django_db
def test_evaluating_trains_the_plain_baseline_on_the_same_split_and_prints_both(tmp_path, capsys):
    texts, labels = _texts_labels()
    # The same complaint in two languages is one row with two text columns: a split by distinct text keeps
    # both on the same side.
    rows = [(t, t.upper(), lab) for t, lab in zip(texts, labels)]
    data = _write_csv(tmp_path / "data.csv", rows, header=("text_ru", "text_kz", "category"))
    call_command(
        "evaluate_classifier", task="cause", data=data, text_column="text_ru,text_kz", label_column="category", test_share=0.25
    )
    result = json.loads(capsys.readouterr().out)
    assert result["distinct_texts"] == 16 and result["train_rows"] + result["test_rows"] == 32
    assert result["test_rows"] == 8  # 4 distinct texts held out, each in both columns
    for model in ("ashyq", "baseline_tfidf_linearsvc"):
        for key in ("top1_accuracy", "top3_accuracy", "macro_f1", "expected_calibration_error"):
            assert 0 <= result[model][key] <= 1
    assert not ClassifierModel.objects.exists()  # an evaluation stores no model
    with pytest.raises(CommandError, match="either --data"):
        call_command("evaluate_classifier", task="cause", data=data, test=data)
    with pytest.raises(CommandError, match="no column 'nope'"):
        call_command("evaluate_classifier", task="cause", data=data, text_column="nope", label_column="category")


def test_calibration_error_is_zero_when_confidence_matches_accuracy_and_grows_with_overconfidence():
    import numpy as np

    confident_and_right = classifier.expected_calibration_error(np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    half = classifier.expected_calibration_error(np.array([0.55, 0.55, 0.55, 0.55]), np.array([1.0, 0.0, 1.0, 0.0]))
    overconfident = classifier.expected_calibration_error(np.array([0.95, 0.95]), np.array([0.0, 1.0]))
    assert confident_and_right == 0 and abs(half - 0.05) < 1e-9 and abs(overconfident - 0.45) < 1e-9


@pytest.mark.django_db
def test_evaluating_without_a_model_says_to_train_one(tmp_path):
    test = _write_csv(tmp_path / "t.csv", [("текст", "x")])
    with pytest.raises(CommandError, match="train_classifier --task cause"):
        call_command("evaluate_classifier", task="cause", test=test)


# --- handling, from the record ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_redirect_counts_for_the_first_body_and_the_answer_for_the_body_that_gave_it(people, bodies, submit, run_queue):
    with run_queue:
        appeal = submit(people["applicant"])
    row = AppealAnalysis.objects.get(appeal=appeal)
    assert row.handling == Handling.PENDING and row.final and row.body == bodies["anti-corruption-agency"]

    with run_queue:
        dialogue.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Competence of the prosecutor")
    with run_queue:
        dialogue.answer_appeal(
            people["other_official"],
            appeal,
            text="Назначена служебная проверка, виновный привлечён к дисциплинарной ответственности.",
            outcome="resolved",
        )
    rows = {r.body.slug: r for r in AppealAnalysis.objects.filter(appeal=appeal).select_related("body", "redirected_to")}
    agency, gpo = rows["anti-corruption-agency"], rows["general-prosecutors-office"]
    assert agency.handling == Handling.REDIRECTED and agency.redirected_to.slug == "general-prosecutors-office"
    assert not agency.final
    assert gpo.handling == Handling.INVESTIGATION and gpo.final


@pytest.mark.django_db
def test_an_explanation_is_an_answer_on_the_merits_and_a_refusal_is_a_refusal(people, submit, run_queue):
    with run_queue:
        explained, refused = submit(people["applicant"]), submit(people["applicant"], subject="Second")
    with run_queue:
        dialogue.answer_appeal(people["official"], explained, text="We explain the procedure.", outcome="explained")
        dialogue.answer_appeal(people["official"], refused, text="Refused.", outcome="refused", legal_ground="Art. 89 APPC")
    assert AppealAnalysis.objects.get(appeal=explained).handling == Handling.MERITS
    assert AppealAnalysis.objects.get(appeal=refused).handling == Handling.REFUSED


# --- labels ----------------------------------------------------------------------------------------------


@pytest.fixture
def trained(db):
    texts, labels = _texts_labels()
    services.save_model(Task.CAUSE, classifier.train(texts, labels), trained_on="test", labels=labels)
    sectors = ["law-enforcement" if "олиц" in t or "частков" in t else "local-services" for t in texts]
    services.save_model(Task.SECTOR, classifier.train(texts, sectors), trained_on="test", labels=sectors)


@pytest.mark.django_db
def test_a_new_appeal_gets_a_suggested_cause_and_sector_and_a_person_can_correct_it(trained, people, submit, run_queue):
    with run_queue:
        appeal = submit(people["applicant"], subject="Взятка", text="Участковый полиции вымогал взятку за закрытие дела.")
    suggested = {label.task: label for label in Label.objects.filter(appeal=appeal)}
    assert suggested["cause"].value == "corruption" and suggested["cause"].source == Source.MODEL
    assert suggested["sector"].value == "law-enforcement" and suggested["cause"].model_id
    row = AppealAnalysis.objects.get(appeal=appeal)
    assert (row.cause, row.cause_confirmed, row.sector) == ("corruption", False, "law-enforcement")

    label = services.set_label(people["official"], appeal, "cause", "abuse_of_authority")
    assert (label.source, label.set_by, label.set_at is not None) == (Source.PERSON, people["official"], True)
    row = AppealAnalysis.objects.get(appeal=appeal)  # rows are rebuilt, not edited
    assert (row.cause, row.cause_confirmed) == ("abuse_of_authority", True)
    # The suggestion stays in the history; a new suggestion never overrides a person's label.
    assert list(Label.objects.filter(appeal=appeal, task="cause").values_list("value", flat=True)) == [
        "corruption",
        "abuse_of_authority",
    ]
    services.classify_appeal(appeal.pk)
    assert AppealAnalysis.objects.get(appeal=appeal).cause == "abuse_of_authority"


@pytest.mark.django_db
def test_only_the_bodies_that_handled_an_appeal_and_moderators_may_label_it(people, bodies, submit):
    appeal = submit(people["applicant"])
    for who in ("applicant", "other_official", "monitor"):
        with pytest.raises(PermissionDenied):
            services.set_label(people[who], appeal, "cause", "corruption")
    assert services.set_label(people["moderator"], appeal, "cause", "corruption").set_by == people["moderator"]
    dialogue.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Competence")
    # The agency that redirected it keeps the right, and the prosecutor's office now has it too.
    services.set_label(people["official"], appeal, "sector", "law-enforcement")
    services.set_label(people["other_official"], appeal, "sector", "courts")


@pytest.mark.django_db
def test_a_label_outside_the_list_is_refused_and_nothing_is_appended(people, submit):
    appeal = submit(people["applicant"])
    for task, value in (("cause", "no-such-cause"), ("sector", "<script>"), ("routing", "anti-corruption-agency")):
        with pytest.raises(ValidationError):
            services.set_label(people["official"], appeal, task, value)
    assert not Label.objects.filter(appeal=appeal).exists()


@pytest.mark.django_db
def test_labels_are_append_only(people, submit):
    label = services.set_label(people["official"], submit(people["applicant"]), "cause", "corruption")
    label.value = "other"
    with pytest.raises(PermissionError):
        label.save()
    with pytest.raises(PermissionError):
        label.delete()


# --- routing ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_routing_learns_where_appeals_were_finally_answered_and_names_the_applicants_own_akimat(bodies, regions):
    texts = [
        "Во дворе не горит освещение уже месяц",
        "Не вывозят снег со двора, техника не приходит",
        "Аулада жарық жоқ, әкімдік жауап бермейді",
        "Ауладағы қарды ешкім тазаламайды",
        "Участковый вымогал взятку за закрытие дела",
        "Сотрудник полиции требовал деньги",
        "Полиция қызметкері пара сұрады",
        "Учаскелік инспектор ақша талап етті",
    ]
    labels = [
        services.routing_label(s, k) for s, k in [("akimat-almaty", "akimat")] * 4 + [("anti-corruption-agency", "agency")] * 4
    ]
    services.save_model(Task.ROUTING, classifier.train(texts, labels), trained_on="test", labels=labels)
    top = routing.suggest_bodies("В нашем дворе третью неделю не горит освещение, темно", region=regions["KZ-71"])
    assert top[0].body == bodies["akimat-astana"]  # the applicant's region, not the akimat it learned from
    assert top[0].past_answered == 4 and top[0].because
    assert routing.suggest_bodies("короткий") == []  # too short to say anything


@pytest.mark.django_db
def test_without_a_routing_model_the_bodies_competent_for_the_named_sector_are_suggested(bodies, regions):
    top = routing.suggest_bodies("Судебный исполнитель не исполняет решение суда о взыскании алиментов", region=regions["KZ-75"])
    assert top and top[0].named_sector in ("enforcement-of-judgments", "courts")
    assert all(s.body.accepts_appeals for s in top)


@pytest.mark.django_db
def test_cross_validation_of_routing_counts_the_redirects_saved_and_refuses_a_first_body_it_cannot_use(tmp_path, capsys, bodies):
    texts, labels = _texts_labels()
    bodies_of = {"corruption": "anti-corruption-agency", "red_tape": "general-prosecutors-office"}
    train = _write_csv(
        tmp_path / "train.csv",
        [(t, bodies_of[lab], "anti-corruption-agency") for t, lab in zip(texts, labels)],
        header=("text", "label", "first"),
    )
    call_command("train_classifier", task="routing", train=train, first_body_column="first", cross_validate=4)
    cv = json.loads(capsys.readouterr().out)["cross_validation"]
    assert cv["folds"] == 4 and cv["redirected_in_test"] == 8  # the eight sent first to the agency but answered by GPO
    assert 0 <= cv["redirects_saved_by_top1"] <= cv["final_body_in_top3_of_redirected"] <= 8
    with pytest.raises(CommandError, match="--first-body-column needs"):
        call_command("train_classifier", task="cause", train=train, first_body_column="first", cross_validate=4)
    with pytest.raises(CommandError, match="at least 2 folds"):
        call_command("train_classifier", task="cause", train=train, cross_validate=1)
