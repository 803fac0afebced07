"""Heads' blogs and web conferences in the demo: a post of the Anti-Corruption Agency's head, a past web conference
with a question answered and published (so its archive has an entry), and one taking questions now. Synthetic, and
said so on every text; played through the real services at past dates."""

import datetime as dt

from django.utils import timezone

from ashyq.accounts.models import User
from ashyq.blogs import services
from ashyq.blogs.models import Post
from ashyq.core import clock
from ashyq.core.models import Region
from ashyq.dialogue import services as dialogue_services
from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target

SYNTHETIC_KK = "\n\n_(Синтетикалық демо-мәтін.)_"
SYNTHETIC_RU = "\n\n_(Синтетический демонстрационный текст.)_"
SYNTHETIC_EN = "\n\n_(Synthetic demo text.)_"


def _at(days: float, hour: int = 10) -> dt.datetime:
    # Days from the real today, also while the clock stands on a past day (clock.frozen_at changes clock.today()).
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _conference(head, starts_in_days: int, opens_in_days: int, title: dict, description: dict, room: str):
    return services.plan_conference(
        head,
        announce=True,
        **title,
        **description,
        starts_at=_at(starts_in_days, 15),
        duration_minutes=60,
        questions_open_at=_at(opens_in_days, 9),
        questions_close_at=_at(starts_in_days, 12),
        video_url=f"https://meet.jit.si/ashyq-demo-{room}",
    )


def load() -> dict:
    head = User.objects.get(username="demo-head-acc")
    if Post.objects.filter(body=head.body).exists():
        return {"blog_posts": 0}
    citizen = User.objects.get(username="demo-citizen")
    official = User.objects.get(username="demo-official-acc")
    moderator = User.objects.get(username="demo-moderator")
    almaty = Region.objects.get(iso_code="KZ-75")

    with clock.frozen_at(_at(-40)):
        services.write_post(
            head,
            publish=True,
            title_kk="Өтініштерге қалай жауап береміз",
            text_kk="Әр өтініш тіркелген күні тіркеледі және **15 жұмыс күні** ішінде қаралады." + SYNTHETIC_KK,
            title_ru="Как мы отвечаем на обращения",
            text_ru="Каждое обращение регистрируется в день поступления и рассматривается в течение **15 рабочих дней**."
            + SYNTHETIC_RU,
            title_en="How we answer appeals",
            text_en="Every appeal is registered on the day it arrives and considered within **15 working days**." + SYNTHETIC_EN,
        )
        past = _conference(
            head,
            starts_in_days=-20,
            opens_in_days=-40,
            title={
                "title_kk": "Мемлекеттік қызметтердегі сыбайлас жемқорлық туралы онлайн-конференция",
                "title_ru": "Онлайн-конференция о коррупции в госуслугах",
                "title_en": "Web conference on corruption in public services",
            },
            description={"description_ru": "Председатель отвечает на вопросы граждан." + SYNTHETIC_RU},
            room="acc-public-services",
        )
    with clock.frozen_at(_at(-30)):
        appeal = services.ask_question(
            citizen,
            past,
            subject="Куда сообщить о вымогательстве в ЦОНе?",
            text="Если в ЦОНе просят деньги за ускорение выдачи справки, куда сообщить и как меня защитят?" + SYNTHETIC_RU,
            region=almaty,
            is_public=True,
        )
    with clock.frozen_at(_at(-22)):
        dialogue_services.answer_appeal(
            official,
            appeal,
            text="Сообщите по телефону 1424 или через этот портал; сведения о заявителе не разглашаются (ст. 24 Закона "
            "«О противодействии коррупции»)." + SYNTHETIC_RU,
            outcome="explained",
        )
    with clock.frozen_at(_at(-21)):
        moderation.approve(moderator, appeal, target=Target.APPEAL)
        moderation.approve(moderator, appeal, target=Target.ANSWER)
    _conference(
        head,
        starts_in_days=14,
        opens_in_days=-1,
        title={
            "title_kk": "Жастар және адалдық: онлайн-конференция",
            "title_ru": "Молодёжь и честность: онлайн-конференция",
            "title_en": "Youth and integrity: a web conference",
        },
        description={"description_ru": "Вопросы принимаются до дня конференции." + SYNTHETIC_RU},
        room="acc-youth",
    )
    return {"blog_posts": 1, "web_conferences": 2}
