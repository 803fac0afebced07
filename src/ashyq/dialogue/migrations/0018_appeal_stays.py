"""The stays of every appeal at bodies (AppealStay, dialogue/stays.py), backfilled from the events.

On PostgreSQL one INSERT ... SELECT over the events (a window numbers each appeal's registrations and arrivals by
redirect; the next arrival ends a stay by redirect; the answer or the withdrawal ends the last one), set-based (about a
minute for a million appeals on a shared 2-core machine), not a loop per appeal. On SQLite (development and test databases, small) the
same rows come from stays.replay_stays(), appeal by appeal. A test holds the SQL equal to the replay.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL_SQL = """
WITH s AS (
    SELECT e.appeal_id, e.seq AS start_seq, e.to_body_id AS body_id, e.at AS received_at,
           COALESCE((e.data->>'received_on')::date, (e.at AT TIME ZONE %(tz)s)::date) AS received_on,
           (e.data->>'due_on')::date AS start_due,
           ROW_NUMBER() OVER w AS n, LEAD(e.seq) OVER w AS next_seq, LEAD(e.at) OVER w AS next_at
    FROM dialogue_appealevent e
    WHERE e.kind IN ('registered', 'redirected') AND e.to_body_id IS NOT NULL
    WINDOW w AS (PARTITION BY e.appeal_id ORDER BY e.seq)
), f AS (  -- what ended the last stay: the answer or the withdrawal (one at most per appeal)
    SELECT appeal_id, kind, at, data FROM dialogue_appealevent WHERE kind IN ('answered', 'withdrawn')
), x AS (  -- the bodies that extended each appeal's term
    SELECT DISTINCT appeal_id, to_body_id FROM dialogue_appealevent WHERE kind = 'extended'
)
INSERT INTO dialogue_appealstay (appeal_id, seq, body_id, addressed, received_at, received_on, month, due_on,
    ended_at, ending, outcome, answered_on, answered_on_time, extended, applicant_staff)
SELECT s.appeal_id, s.n, s.body_id, s.body_id = a.addressed_body_id, s.received_at, s.received_on,
    date_trunc('month', s.received_on)::date,
    CASE WHEN s.next_seq IS NULL THEN a.due_on ELSE COALESCE((
        SELECT (d.data->>'due_on')::date FROM dialogue_appealevent d
        WHERE d.appeal_id = s.appeal_id AND d.kind = 'extended' AND d.seq > s.start_seq AND d.seq < s.next_seq
        ORDER BY d.seq DESC LIMIT 1), s.start_due) END,
    COALESCE(s.next_at, f.at),
    CASE WHEN s.next_seq IS NOT NULL THEN 'redirected' ELSE COALESCE(f.kind, '') END,
    COALESCE(f.data->>'outcome', ''),
    CASE WHEN f.kind = 'answered' THEN (f.at AT TIME ZONE %(tz)s)::date END,
    CASE WHEN f.kind = 'answered' THEN (f.data->>'on_time')::boolean END,
    COALESCE(f.kind = 'answered' AND x.appeal_id IS NOT NULL, false),
    COALESCE(f.kind = 'answered' AND u.body_id = s.body_id, false)
FROM s
JOIN dialogue_appeal a ON a.id = s.appeal_id
LEFT JOIN f ON s.next_seq IS NULL AND f.appeal_id = s.appeal_id
LEFT JOIN x ON f.kind = 'answered' AND x.appeal_id = s.appeal_id AND x.to_body_id = s.body_id
LEFT JOIN {users} u ON f.kind = 'answered' AND u.id = a.applicant_id
"""


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        users = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(BACKFILL_SQL.format(users=users), {"tz": settings.TIME_ZONE})
            cursor.execute("ANALYZE dialogue_appealstay")
        return
    from ashyq.dialogue.stays import replay_stays

    Appeal = apps.get_model("dialogue", "Appeal")
    Event = apps.get_model("dialogue", "AppealEvent")
    Stay = apps.get_model("dialogue", "AppealStay")
    last = 0
    while True:
        appeals = list(Appeal.objects.filter(pk__gt=last).order_by("pk").values("pk", "addressed_body_id", "applicant__body_id")[:500])
        if not appeals:
            return
        events: dict = {}
        for e in Event.objects.filter(appeal_id__in=[a["pk"] for a in appeals]).order_by("appeal_id", "seq"):
            events.setdefault(e.appeal_id, []).append(e)
        rows = []
        known = {f.attname for f in Stay._meta.concrete_fields}  # the columns as of this migration (later ones fill theirs)
        for a in appeals:
            for stay in replay_stays(
                events.get(a["pk"], []), addressed_body_id=a["addressed_body_id"], applicant_staff_of=a["applicant__body_id"]
            ):
                rows.append(Stay(appeal_id=a["pk"], **{k: v for k, v in vars(stay).items() if k in known}))
        Stay.objects.bulk_create(rows)
        last = appeals[-1]["pk"]


class Migration(migrations.Migration):

    dependencies = [
        ('bodies', '0001_initial'),
        ('dialogue', '0017_signature_without_personal_fields'),
    ]

    operations = [
        migrations.CreateModel(
            name='AppealStay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveSmallIntegerField(help_text='1 for the registration, then one more for each redirect')),
                ('addressed', models.BooleanField()),
                ('received_at', models.DateTimeField()),
                ('received_on', models.DateField()),
                ('month', models.DateField()),
                ('due_on', models.DateField()),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('ending', models.CharField(blank=True, choices=[('redirected', 'redirected'), ('answered', 'answered'), ('withdrawn', 'withdrawn')], max_length=20)),
                ('outcome', models.CharField(blank=True, choices=[('resolved', 'resolved: measures taken'), ('explained', 'explained'), ('refused', 'refused'), ('left_without_consideration', 'left without consideration')], max_length=40)),
                ('answered_on', models.DateField(blank=True, null=True)),
                ('answered_on_time', models.BooleanField(blank=True, null=True)),
                ('extended', models.BooleanField(default=False)),
                ('applicant_staff', models.BooleanField(default=False)),
                ('appeal', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stays', to='dialogue.appeal')),
                ('body', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bodies.body')),
            ],
            options={
                'ordering': ['appeal', 'seq'],
                'indexes': [models.Index(fields=['body', 'month'], name='appeal_stay_body_month')],
                'constraints': [models.UniqueConstraint(fields=('appeal', 'seq'), name='appeal_stay_unique_seq')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
