"""The causes of appeals of the KazISS study of 341 appeals to the Anti-Corruption Agency (Central Asia's
Affairs 4/2020), in its order of frequency; an administrator may add more."""
from django.db import migrations

CAUSES = [
    ("corruption", "Encounter with corruption", "Столкновение с коррупцией", "Сыбайлас жемқорлыққа тап болу"),
    ("poor_work", "Poor-quality work or incompetence of civil servants",
     "Некачественная работа и некомпетентность госслужащих", "Мемлекеттік қызметшілердің сапасыз жұмысы мен біліксіздігі"),
    ("red_tape", "Red tape", "Волокита", "Сөзбұйдаға салу"),
    ("court_decision", "Disagreement with a court decision", "Несогласие с решением суда", "Сот шешімімен келіспеу"),
    ("abuse_of_authority", "Abuse of authority", "Превышение должностных полномочий", "Лауазымдық өкілеттікті асыра пайдалану"),
    ("proposal", "Proposal", "Предложение", "Ұсыныс"),
    ("state_support", "State support programmes", "Государственные программы поддержки", "Мемлекеттік қолдау бағдарламалары"),
    ("utilities", "Utilities and monopolies", "Коммунальные услуги и монополии", "Коммуналдық қызметтер және монополиялар"),
    ("other", "Other", "Другое", "Басқа"),
]


def seed(apps, schema_editor):
    Cause = apps.get_model("analysis", "Cause")
    for position, (slug, en, ru, kk) in enumerate(CAUSES, start=1):
        Cause.objects.update_or_create(slug=slug, defaults={"name_en": en, "name_ru": ru, "name_kk": kk,
                                                            "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("analysis", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
