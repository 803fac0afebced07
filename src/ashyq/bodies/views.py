from django.shortcuts import render

from ashyq.core import pagecache

from .models import Body


@pagecache.public_page(pagecache.RECORD)
def body_list(request):
    bodies = Body.objects.filter(accepts_appeals=True).select_related("region", "parent").order_by("kind", "name_en")
    groups = {}
    for body in bodies:
        groups.setdefault(body.get_kind_display(), []).append(body)
    return render(request, "bodies/list.html", {"groups": groups})
