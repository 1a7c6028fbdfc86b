import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
django.setup(set_prefix=False)

from voronka.core.wsgi import application_build  # noqa: E402 - needs the settings above

application = application_build()
