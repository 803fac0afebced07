class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: pages use only their own scripts, styles and images."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        # The pages' signing script talks to NCALayer on the person's own computer (core/eds.py): that one address too.
        policy = self.POLICY + f"; connect-src 'self' {settings.ASHYQ_NCALAYER_URL.rstrip('/')}"
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return response


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every answer that may hold personal data: to anyone with a session
    (signed in), to any request carrying an API token (a bearer token, or Open311's api_key) and to every write.

    A shared cache (a proxy, a CDN) must never keep one person's inbox or appeal for the next person, and the
    browser must not keep it on a shared computer after signing out. Decided from the request alone (its cookie
    and headers), without loading the session, so anonymous pages stay cacheable and carry no `Vary: Cookie` of
    ours. Static files never reach this (WhiteNoise answers them first)."""

    VALUE = "private, no-store"
    SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

    def __init__(self, get_response):
        from django.conf import settings

        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.get_response = get_response

    def personal(self, request) -> bool:
        return (
            self.session_cookie in request.COOKIES
            or "HTTP_AUTHORIZATION" in request.META
            or request.method not in self.SAFE_METHODS
            or "api_key" in request.GET
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.personal(request):
            response["Cache-Control"] = self.VALUE
            response.headers.pop("Expires", None)
        return response
