"""The demo's Open Budget: the real execution reports shipped with the budget app, imported and published as
open data. Every central body whose budget administrator code is known then links to its budget page (the body
page's panel)."""


def load_budget() -> dict:
    from ashyq.budget import services
    from ashyq.budget.models import Administrator

    report = services.import_budget(None)
    linked = Administrator.objects.filter(scope="republican", body__isnull=False).count()
    return {
        "budget_facts_loaded": report["rows_loaded"],
        "budget_bodies_linked": linked,
        "budget_seconds": report.get("seconds", 0),
        "warnings": report.get("warnings", []),
    }
