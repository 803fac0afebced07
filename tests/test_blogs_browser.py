"""Done when, in a real headless Chromium: a citizen asks a question to a web conference from a 390 px phone screen
(no script needed), the body's official answers it from the appeal page like any appeal, a moderator publishes the
question and the answer, and the answer appears in the conference's archive."""

import pytest

from ashyq.blogs.models import Question
from ashyq.dialogue.models import Channel
from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target
from tests.blogs_helpers import open_conference
from tests.chromium import headless_chromium, needs_chromium
from tests.test_browser_journey import Journey

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def browser():
    with headless_chromium(language="en") as driver:
        yield driver


def test_a_question_to_a_web_conference_is_answered_and_joins_the_archive(browser, live_server, reference, people):
    conference = open_conference(people["head"])
    me = Journey(browser, live_server.url)

    # 1. On a phone, the citizen finds the conference among the heads' blogs and asks.
    browser.set_window_size(390, 844)
    me.sign_in("citizen")
    me.open("/blogs/")
    me.find(f"a[href='/blogs/conferences/{conference.pk}/']").click()
    assert "Web conference on fighting corruption" in me.text("h1")
    assert me.find("a[href='https://meet.jit.si/ashyq-acc-conference']")
    me.fill("#id_subject", "Сроки проверки")
    me.fill("#id_text", "Когда закончится проверка по заявлению о взятке?")
    me.choose("#id_region", "KZ-75")
    me.submit("#ask button[type=submit]")
    question = Question.objects.select_related("appeal").get(conference=conference)
    appeal = question.appeal
    assert appeal.channel == Channel.WEB_CONFERENCE
    assert appeal.number in me.message()
    assert me.driver.current_url.endswith(f"/appeals/{appeal.pk}/#main")
    overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the appeal page scrolls sideways by {overflow} px on a phone"
    me.sign_out()

    # 2. The Agency's official answers it from the appeal page, as any appeal.
    browser.set_window_size(1280, 900)
    me.sign_in("acc-official")
    me.open(f"/appeals/{appeal.pk}/")
    me.choose("#form-answer select[name=answer-outcome]", "explained")
    me.fill("#form-answer textarea[name=answer-text]", "Проверка завершится до 20 декабря; вам напишут.")
    me.submit("#form-answer button[type=submit]")
    me.submit("#confirm-yes")  # an answer cannot be taken back: the second page asks first
    assert "answered" in me.text("#appeal-status")
    me.sign_out()

    # 3. Nothing shows in the archive before moderation; after it, the answer does.
    me.open(f"/blogs/conferences/{conference.pk}/")
    assert "Проверка завершится" not in me.text("main")
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    moderation.approve(people["moderator"], appeal, target=Target.ANSWER)
    me.open(f"/blogs/conferences/{conference.pk}/")
    archive = me.text("section[aria-labelledby=h-archive]")
    assert "Сроки проверки" in archive and "Проверка завершится до 20 декабря" in archive
    assert "citizen" not in archive


def test_a_head_delegates_the_blog_and_the_official_publishes_in_the_heads_name(browser, live_server, reference, people):
    from ashyq.blogs.models import Delegation, Post

    official = people["official"]
    official.first_name, official.last_name = "Dana", "Serikova"
    official.save()
    me = Journey(browser, live_server.url)

    # 1. The head names the official on "Officials who write my blog", without script.
    me.sign_in("acc-head")
    me.open("/blogs/manage/")
    me.find("a[href='/blogs/manage/delegates/']").click()
    me.choose("#id_official", str(official.pk))
    me.submit("main form.form button[type=submit]")
    assert "Dana Serikova may now write your blog" in me.message()
    assert "in force" in me.text("section[aria-labelledby=h-delegations]")
    me.sign_out()

    # 2. The official writes and publishes a post from their own "My blog and conferences".
    me.sign_in("acc-official")
    me.open("/blogs/manage/")
    assert "in the head's name" in me.text("main")
    me.find("a[href='/blogs/manage/posts/new/']").click()
    me.fill("#id_title_ru", "Приём граждан по субботам")
    me.fill("#id_text_ru", "С декабря агентство принимает граждан и по субботам.")
    me.submit("main form button[value=publish]")
    post = Post.objects.get(title_ru="Приём граждан по субботам")
    assert post.delegation is not None and "Published on behalf of the head by Dana Serikova." in me.text("article")
    me.sign_out()

    # 3. The public reads the post in the head's name, without the official's name.
    me.open(f"/blogs/posts/{post.pk}/")
    article = me.text("article")
    assert "Published on behalf of the head by an official of the body." in article and "Serikova" not in article

    # 4. The head withdraws it; the official's page is closed to them from then on.
    me.sign_in("acc-head")
    me.open("/blogs/manage/delegates/")
    me.submit(f"form[action='/blogs/manage/delegates/{post.delegation_id}/withdraw'] button")
    assert "Dana Serikova" in me.text("main")  # withdrawing asks first, naming whom it concerns
    assert Delegation.objects.get().withdrawn_at is None
    me.submit("#confirm-yes")
    assert "no longer writes your blog" in me.message()
    assert Delegation.objects.get().withdrawn_at is not None
    me.sign_out()
    me.sign_in("acc-official")
    me.open("/blogs/manage/")
    assert me.text("h1") == "You may not do this"
