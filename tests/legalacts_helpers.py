"""Shared by the Open Legal Acts tests: the default rule, a small bilingual draft, and a published process."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps

DRAFT_RU = """# Правила оказания государственной услуги

Настоящие Правила определяют порядок оказания услуги.

### Глава 1. Общие положения

1. Услуга оказывается бесплатно.

2. Срок оказания услуги:

1) при обращении в ЦОН – пять рабочих дней;

2) через портал – три рабочих дня.

### Глава 2. Порядок обжалования

3. Жалоба подается в уполномоченный орган.
"""

DRAFT_KK = """# Мемлекеттік қызметті көрсету қағидалары

Осы Қағидалар қызмет көрсету тәртібін айқындайды.

### 1-тарау. Жалпы ережелер

1. Қызмет тегін көрсетіледі.

2. Қызмет көрсету мерзімі:

1) ХҚКО-ға жүгінген кезде – бес жұмыс күні;

2) портал арқылы – үш жұмыс күні.

### 2-тарау. Шағымдану тәртібі

3. Шағым уәкілетті органға беріледі.
"""


def ensure_rule():
    from ashyq.legalacts.models import DiscussionRule

    if not DiscussionRule.objects.exists():
        importlib.import_module("ashyq.legalacts.migrations.0002_default_rule").create_default_rule(django_apps, None)
    return DiscussionRule.objects.get(version=1)


@pytest.fixture
def rule(db):
    return ensure_rule()


def publish(official, *, opens_on: dt.date, closes_on: dt.date | None = None, act_type="rules", **extra):
    from ashyq.legalacts import services

    values = {
        "act_type": act_type,
        "title_kk": "Қағидалар жобасы",
        "title_ru": "Проект правил",
        "title_en": "Draft rules",
        "text_kk": DRAFT_KK,
        "text_ru": DRAFT_RU,
        "opens_on": opens_on,
        "closes_on": closes_on or opens_on + dt.timedelta(days=14),
    }
    values.update(extra)
    return services.publish_draft(official, **values)
