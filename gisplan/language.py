"""Simplified Chinese unless the user picks another language.

Django's LocaleMiddleware follows the browser's Accept-Language header; a county office's
computers often run an English browser, so here only the user's explicit choice (the cookie set
by the language selector) overrides settings.LANGUAGE_CODE.
"""
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
