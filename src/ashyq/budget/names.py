"""Names of the classification's fixed groups in Kazakh, Russian and English (the source names them in Russian
only): the 16 functional groups, the revenue categories and borrowing. Names, never figures."""

from django.utils.translation import get_language

FUNCTION_GROUPS = {
    "1": ("General public services", "Государственные услуги общего характера", "Жалпы сипаттағы мемлекеттік қызметтер"),
    "2": ("Defence", "Оборона", "Қорғаныс"),
    "3": (
        "Public order, security, justice and prisons",
        "Общественный порядок, безопасность, правовая, судебная, уголовно-исполнительная деятельность",
        "Қоғамдық тәртіп, қауіпсіздік, құқықтық, сот, қылмыстық-атқару қызметі",
    ),
    "4": ("Education", "Образование", "Білім беру"),
    "5": ("Health care", "Здравоохранение", "Денсаулық сақтау"),
    "6": (
        "Social assistance and social security",
        "Социальная помощь и социальное обеспечение",
        "Әлеуметтік көмек және әлеуметтік қамсыздандыру",
    ),
    "7": ("Housing and utilities", "Жилищно-коммунальное хозяйство", "Тұрғын үй-коммуналдық шаруашылық"),
    "8": (
        "Culture, sport, tourism and information",
        "Культура, спорт, туризм и информационное пространство",
        "Мәдениет, спорт, туризм және ақпараттық кеңістік",
    ),
    "9": (
        "Fuel, energy and subsoil use",
        "Топливно-энергетический комплекс и недропользование",
        "Отын-энергетика кешені және жер қойнауын пайдалану",
    ),
    "10": (
        "Agriculture, water, forests, fisheries, nature and land",
        "Сельское, водное, лесное, рыбное хозяйство, охрана окружающей среды, земельные отношения",
        "Ауыл, су, орман, балық шаруашылығы, қоршаған ортаны қорғау, жер қатынастары",
    ),
    "11": (
        "Industry, architecture, urban planning and construction",
        "Промышленность, архитектурная, градостроительная и строительная деятельность",
        "Өнеркәсіп, сәулет, қала құрылысы және құрылыс қызметі",
    ),
    "12": ("Transport and communications", "Транспорт и коммуникации", "Көлік және коммуникация"),
    "13": ("Other", "Прочие", "Басқалар"),
    "14": ("Debt service", "Обслуживание долга", "Борышқа қызмет көрсету"),
    "15": ("Transfers (mostly to regions and the pension and health funds)", "Трансферты", "Трансферттер"),
    "16": ("Repayment of loans", "Погашение займов", "Қарыздарды өтеу"),
}
REVENUE_CATEGORIES = {
    "1": ("Taxes", "Налоговые поступления", "Салықтық түсімдер"),
    "2": ("Non-tax revenue", "Неналоговые поступления", "Салықтық емес түсімдер"),
    "3": ("Sale of fixed capital", "Поступления от продажи основного капитала", "Негізгі капиталды сатудан түсетін түсімдер"),
    "4": ("Transfers received (mostly from the National Fund)", "Поступления трансфертов", "Трансферттердің түсімдері"),
}
BORROWING = ("Borrowing", "Поступление займов", "Қарыздар түсімі")


def localised(names: tuple, fallback: str = "") -> str:
    if not names:
        return fallback
    lang = (get_language() or "en")[:2]
    return names[{"en": 0, "ru": 1, "kk": 2}.get(lang, 0)]
